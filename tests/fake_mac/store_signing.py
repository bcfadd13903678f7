"""Apple's re-signing of store builds, for the bundle builder (tests/fixtures/bundle_builder).

Apps delivered by the Mac App Store, TestFlight and the iOS App Store run with Apple's
signature, not the developer's, under the Worldwide Developer Relations CA, with the
developer's Team ID kept in the code directory, while the embedded store profile lists the
developer's own Apple Distribution certificate (TN3125, TN3127). The leaf is:

* "Apple Mac OS Application Signing" for the Mac App Store (`codesign -dvvv` of Xcode from the
  Mac App Store prints it; marker 1.2.840.113635.100.6.1.9);
* "Apple iPhone OS Application Signing" for the iOS App Store (marker 1.2.840.113635.100.6.1.3);
* "TestFlight Beta Distribution" for TestFlight installs, macOS and iOS alike (marker
  1.2.840.113635.100.6.1.25.1, a leaf marker in Apple's Security framework, SecPolicy.c; public
  notes on TestFlight-installed Mac apps and iOS-on-Mac wrappers quote that signer, with Apple's
  `beta-reports-active` in the re-signed entitlements).

The builder names signing kinds through `apple_pki.LEAF_KINDS`; `register_store_signers()`
adds the two store kinds there (idempotent), so `build_app(signing=MAC_STORE_SIGNING, ...)`
signs with them. The marker OIDs are the ones the inspector reads (1.2.840.113635.100.6.1.9
Mac App Store, 1.2.840.113635.100.6.1.3 iPhone OS application signing).

This lives here, not in bundle_builder.py, because another helper owns that file; once the
builder has store kinds of its own this module can map onto them.
"""

from __future__ import annotations

from tests.fixtures import apple_pki

MAC_STORE_SIGNING = "apple-store-macos"
IOS_STORE_SIGNING = "apple-store-ios"
TESTFLIGHT_SIGNING = "apple-testflight"
MAC_STORE_AUTHORITY = "Apple Mac OS Application Signing"
IOS_STORE_AUTHORITY = "Apple iPhone OS Application Signing"
TESTFLIGHT_AUTHORITY = "TestFlight Beta Distribution"

_KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    MAC_STORE_SIGNING: (MAC_STORE_AUTHORITY, ("1.2.840.113635.100.6.1.9",), "wwdr"),
    IOS_STORE_SIGNING: (IOS_STORE_AUTHORITY, ("1.2.840.113635.100.6.1.3",), "wwdr"),
    TESTFLIGHT_SIGNING: (TESTFLIGHT_AUTHORITY, ("1.2.840.113635.100.6.1.25.1",), "wwdr"),
}


def register_store_signers() -> None:
    """Make the store signing kinds known to the bundle builder (safe to call repeatedly)."""
    for kind, spec in _KINDS.items():
        apple_pki.LEAF_KINDS.setdefault(kind, spec)


register_store_signers()
