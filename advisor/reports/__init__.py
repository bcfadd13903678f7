"""Report formats, one module each behind one function: `render_report(result, format)`.

`result` is the contract's `diagnose --format json` dictionary (see Investigation.result()).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.exit_status import ExitStatus, UserError

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import DiagnoseResult

# format -> (module, function); each renderer takes the result dict and returns text.
RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("advisor.reports.text", "render_text"),
    "markdown": ("advisor.reports.markdown", "render_markdown"),
    "html": ("advisor.reports.html", "render_html"),
}


def render_json(result: DiagnoseResult) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def render_report(result: DiagnoseResult, fmt: str, redact: bool = True) -> str:
    if redact:  # fails closed: without redaction nothing is rendered, so nothing is written
        try:
            from advisor.redaction import redact_result
        except ImportError as exc:
            error = UserError(f"redaction is not available ({exc}); nothing was written (--no-redact writes without redaction)")
            error.exit_status = ExitStatus.INTERNAL_ERROR
            raise error from None
        result = redact_result(result)
    if fmt == "json":
        return render_json(result)
    if fmt not in RENDERERS:
        raise UserError(f"unknown report format '{fmt}' (choose from json, {', '.join(RENDERERS)})")
    module_name, func_name = RENDERERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise UserError(f"the {fmt} report format is not available yet") from None
    renderer: Callable[[DiagnoseResult], str] = getattr(module, func_name)
    return renderer(result)
