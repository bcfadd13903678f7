"""The knowledge model: plain dataclasses built from the YAML in `knowledge/`.

Every object remembers where it was defined (`Location`) so problems can be reported as
`file:line: message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

UNKNOWN = "unknown"

# Where a build comes from, as bundle rules name it (knowledge/README.md, "Bundle rules"): the
# platform, then the distribution channel. Store builds are re-signed by Apple.
CHANNELS = (
    "macos-development",
    "macos-developer-id",
    "macos-app-store",
    "macos-testflight",
    "ios-development",
    "ios-app-store",
    "ios-testflight",
    "ios-ad-hoc",
    "ios-enterprise",
)
PACKAGINGS = ("appex", "sysex")
# Who signed the code a rule looks at: the developer's own certificate, or Apple's App Store
# re-signing ("Apple Mac OS Application Signing", "Apple iPhone OS Application Signing").
SIGNERS = ("developer", "apple-store")


@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Condition:
    """All of `facts` must hold; each fact may accept several values (any of them)."""

    facts: tuple[tuple[str, frozenset[str]], ...]
    location: Location

    def items(self) -> tuple[tuple[str, frozenset[str]], ...]:
        return self.facts

    def describe(self) -> str:
        return ", ".join(f"{f}={'|'.join(sorted(v))}" for f, v in self.facts)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class Fact:
    id: str
    values: tuple[str, ...]
    help: str
    location: Location
    labels: dict[str, str] = field(default_factory=dict)
    # value -> other facts that value settles too (an iOS copy installed => another copy installed)
    implies: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # value -> the ways developers say it in a description ("on my Mac", "appex", "TestFlight")
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A value stated about a setup where things work also holds where they fail (what the
    # provider is: its platform, packaging, type), unless the description contrasts the two.
    same_where_it_works: bool = False
    # The source that reads this fact most closely, trusted over the usual order when sources
    # disagree: the bundle inspector weighs every entitlement against each provider's type and
    # profile, where a probe's codesign dump only shows the keys ("bundle" or None).
    read_best_from: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    fact: str
    text: str
    help: str
    choices: tuple[Choice, ...]
    ask_if: Condition | None
    location: Location
    # A question about a detail (not a first-line fact) is asked only once a candidate needs it.
    priority: float = 1.0
    # What answering costs the developer: "memory" (known offhand), "look" (a command or a file
    # to check, given in `check`), "failing-mac" (only on the machine where it fails).
    cost: str = "memory"
    check: str = ""  # the exact command that finds the answer, e.g. `csrutil status`
    probes: tuple[str, ...] = ()  # probes.yaml ids that settle the question's fact
    # Wording for one platform where its bundle layout differs (iOS apps have no Contents/):
    # platform -> (text, help, check), each "" where the default wording stands.
    per_platform: tuple[tuple[str, tuple[str, str, str]], ...] = ()

    def worded_for(self, platform: str | None) -> Question:
        """This question as asked about a build of `platform` (itself when nothing differs)."""
        for name, (text, help_text, check) in self.per_platform:
            if name == platform:
                return replace(self, text=text or self.text, help=help_text or self.help, check=check or self.check)
        return self


@dataclass(frozen=True)
class Support:
    condition: Condition
    weight: float
    note: str


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Diagnosis:
    id: str
    title: str
    category: str
    summary: str
    explanation: str
    requires: Condition | None
    supports: tuple[Support, ...]
    rules_out: tuple[Support, ...]
    confirmed_when: tuple[Condition, ...]
    fix: tuple[str, ...]
    references: tuple[Reference, ...]
    prior: float
    location: Location
    # Advice-type diagnoses (myths, noise) rank below causes at equal evidence.
    advice: bool = False
    # Why this cause is not confirmed by Apple documentation or a DTS post ("" = confirmed).
    # `kb check` lists it as a note and refuses a `confirmed_when` on it.
    unconfirmed: str = ""


@dataclass(frozen=True)
class Symptom:
    """A phrase a developer would write, pointing at diagnoses (and sometimes settling facts)."""

    id: str
    phrases: tuple[str, ...]
    points_to: tuple[tuple[str, float], ...]
    sets: tuple[tuple[str, str], ...]
    location: Location


@dataclass(frozen=True)
class Probe:
    id: str
    tool: str
    argv: tuple[str, ...]
    parser: str
    settles: tuple[str, ...]
    why: str
    timeout: float
    location: Location
    # Placeholders such as {app_path} that must be filled before the probe can run.
    needs: tuple[str, ...] = ()
    mutates: bool = False
    # The platforms of the app it is about (macos, ios); empty: any. A probe of this Mac's own
    # state (Gatekeeper, system extensions, configurations) says nothing about an iOS app.
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signature:
    """A known log message. `text` is the stable core; `patterns` add regex variants."""

    id: str
    text: str
    kind: str  # cause | noise | context
    meaning: str
    process: str
    points_to: tuple[tuple[str, float], ...]
    sets: tuple[tuple[str, str], ...]
    patterns: tuple[str, ...]
    source: str
    location: Location
    min_score: float = 0.0
    # Why the message or its meaning is not confirmed by Apple documentation or a DTS post
    # ("" = confirmed). `kb check` lists it as a note; it may not settle a confirming fact.
    unconfirmed: str = ""
    # Diagnoses this message proves when it is seen verbatim (a correct setup never prints it):
    # the only way a log line makes a diagnosis `confirmed`. Opt-in, used sparingly.
    proves: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppliesTo:
    """Where a bundle rule holds. Empty means every one; a rule whose finding cannot be tied
    to one of these (the channel or provider type cannot be told) is at most a warning."""

    channels: frozenset[str] = frozenset()
    provider_types: frozenset[str] = frozenset()
    packaging: frozenset[str] = frozenset()
    signed_by: frozenset[str] = frozenset()

    @staticmethod
    def _holds(allowed: frozenset[str], candidates: frozenset[str] | None) -> bool | None:
        """The thing is one of `candidates`: True when every candidate is allowed, False when none
        is, None when only some are (or nothing is known)."""
        if not allowed:
            return True
        if not candidates:
            return None
        inside = candidates & allowed
        if not inside:
            return False
        return True if inside == candidates else None

    @staticmethod
    def _overlaps(allowed: frozenset[str], present: frozenset[str] | None) -> bool | None:
        """The thing is all of `present` (a provider hosting several types): True when one of them
        is allowed, False when none is, None when nothing is known."""
        if not allowed:
            return True
        if not present:
            return None
        return bool(present & allowed)

    def scope(
        self,
        channels: frozenset[str] | None,
        provider_types: frozenset[str] | None = None,
        packaging: str | None = None,
        signer: str | None = None,
    ) -> bool | None:
        """True: the rule certainly applies; False: it cannot apply; None: it may apply."""
        verdicts = (
            self._holds(self.channels, channels),
            self._overlaps(self.provider_types, provider_types),
            self._holds(self.packaging, frozenset({packaging}) if packaging else None),
            self._holds(self.signed_by, frozenset({signer}) if signer else None),
        )
        if False in verdicts:
            return False
        return None if None in verdicts else True


@dataclass(frozen=True)
class BundleRule:
    """Maps a bundle-inspector check to the diagnosis it evidences, with its severity."""

    id: str
    diagnosis: str
    severity: str  # error | warning | info
    message: str
    location: Location
    applies_to: AppliesTo | None = None  # None: the rule states nothing (every channel and type)


@dataclass
class KnowledgeBase:
    version: str
    facts: dict[str, Fact]
    questions: dict[str, Question]
    diagnoses: dict[str, Diagnosis]
    symptoms: dict[str, Symptom]
    probes: dict[str, Probe]
    signatures: dict[str, Signature]
    bundle_rules: dict[str, BundleRule]
    root: str = ""
    problems: list[str] = field(default_factory=list)
    # word -> the word it counts as when matching descriptions (vocabulary.yaml)
    vocabulary: dict[str, str] = field(default_factory=dict)
    # The compiled cache's key for this exact content ("" when not cached): what is built from
    # the base (its matchers) is cached under it too.
    content_key: str = field(default="", compare=False)

    def question_for_fact(self, fact: str) -> Question | None:
        for q in self.questions.values():
            if q.fact == fact:
                return q
        return None
