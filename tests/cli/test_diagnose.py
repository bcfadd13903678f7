"""`advisor diagnose` as a user runs it: a real process, real knowledge base."""

import json

import pytest


def test_done_when_developer_id_appex_ranks_mac_app_store_first(advisor_cli):
    r = advisor_cli(
        "diagnose", "--answer", "platform=macos", "--answer", "distribution=developer-id",
        "--answer", "packaging=appex", "--format", "json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    top = out["diagnoses"][0]
    assert top["id"] == "appex-requires-mac-app-store"
    assert top["status"] == "confirmed"
    assert {"fact": "distribution", "value": "developer-id", "source": "answer"}.items() <= top["evidence"][0].items()
    assert any("TN3134" in ref["title"] for ref in top["references"])
    assert out["knowledge_version"] and out["advisor_version"]
    assert [a["question"] for a in out["asked"]] == ["platform", "distribution", "packaging"]
    # Questions are not asked in scripted mode: they are listed.
    assert out["unanswered"] and all({"question", "fact", "text"} <= set(q) for q in out["unanswered"])


def test_text_output_puts_the_cause_first_then_why_then_fix(advisor_cli):
    r = advisor_cli("diagnose", "--answer", "platform=macos", "--answer", "packaging=sysex", "--answer", "app_location=elsewhere")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Most likely cause:")
    text = r.stdout
    assert text.index("Why advisor thinks so:") < text.index("What to do:") < text.index("References:")
    assert "sysex-not-in-applications" in lines[1]


def test_no_evidence_means_no_diagnosis_and_exit_1(advisor_cli):
    r = advisor_cli("diagnose", "--format", "json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["diagnoses"] == []
    assert out["unanswered"][0]["fact"] in ("platform", "packaging", "distribution", "provider_type")


def test_answers_file_and_command_line_answer_wins(advisor_cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("platform: macos\npackaging: appex\ndistribution: mac-app-store\nnotarized: no\n")
    r = advisor_cli("diagnose", "--answers", str(answers), "--answer", "distribution=developer-id", "--format", "json")
    out = json.loads(r.stdout)
    assert out["facts"]["distribution"]["value"] == "developer-id"
    assert out["facts"]["notarized"]["value"] == "no"  # "no" stays text, not a boolean
    assert out["diagnoses"][0]["id"] == "appex-requires-mac-app-store"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--answer", "platform=linux"], "--answer platform=linux: unknown value 'linux' for fact 'platform'"),
        (["--answer", "colour=red"], "--answer colour=red: unknown fact 'colour'"),
        (["--answer", "platform"], "--answer 'platform': expected FACT=VALUE"),
        (["--answers", "/nonexistent/answers.yaml"], "--answers /nonexistent/answers.yaml: no such file"),
        (["--probe", "maybe"], "invalid choice: 'maybe'"),
        (["--from", "/nonexistent/t.yaml"], "/nonexistent/t.yaml: no such file"),
        (["--log", "/nonexistent/ne.log"], "/nonexistent/ne.log"),
        (["--app", "/nonexistent/My.app"], "/nonexistent/My.app"),
    ],
)
def test_bad_input_is_one_line_exit_2(advisor_cli, args, message):
    r = advisor_cli("diagnose", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_malformed_answers_file_names_file_and_line(advisor_cli, tmp_path):
    bad = tmp_path / "a.yaml"
    bad.write_text("platform: macos\npackaging: [appex,\n")
    r = advisor_cli("diagnose", "--answers", str(bad))
    assert r.returncode == 2 and f"--answers {bad}:" in r.stderr and "malformed YAML" in r.stderr
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [x, x]\nb: [*a, *a]\n")
    r = advisor_cli("diagnose", "--answers", str(bomb))
    assert r.returncode == 2 and "aliases are not allowed" in r.stderr
    bad.write_text("- platform\n- macos\n")
    r = advisor_cli("diagnose", "--answers", str(bad))
    assert r.returncode == 2 and "expected a mapping of FACT: VALUE" in r.stderr
    bad.write_text("platform: macos\nsip: [enabled]\n")
    r = advisor_cli("diagnose", "--answers", str(bad))
    assert r.returncode == 2 and f"{bad}:2: the value of 'sip' must be plain text" in r.stderr


def test_broken_knowledge_base_is_exit_2_with_file_line(advisor_cli, tmp_path):
    import shutil

    from tests.synthetic_kb import REAL_KNOWLEDGE

    root = tmp_path / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, root)
    (root / "facts.yaml").write_text((root / "facts.yaml").read_text() + "\n  broken: [\n")
    r = advisor_cli("diagnose", "--answer", "platform=macos", env={"ADVISOR_KNOWLEDGE": str(root)})
    assert r.returncode == 2
    assert "knowledge/facts.yaml:" in r.stderr and "malformed YAML" in r.stderr


def test_describe_becomes_evidence_with_source_describe(advisor_cli):
    r = advisor_cli(
        "diagnose", "--answer", "platform=ios", "--format", "json",
        "--describe", "Settings shows our VPN configuration as Update Required and it never connects",
    )
    out = json.loads(r.stdout)
    top = out["diagnoses"][0]
    assert top["id"] == "provider-deployment-target-too-high"
    assert any(e["source"] == "describe" for e in top["evidence"])


def test_output_file_is_written_and_unwritable_path_is_exit_2(advisor_cli, tmp_path):
    target = tmp_path / "out" / "report.json"
    r = advisor_cli("diagnose", "--answer", "platform=macos", "--answer", "packaging=sysex", "--answer", "app_location=elsewhere", "--format", "json", "--output", str(target))
    assert r.returncode == 0 and r.stdout == ""
    assert json.loads(target.read_text())["diagnoses"][0]["id"] == "sysex-not-in-applications"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = advisor_cli("diagnose", "--answer", "platform=macos", "--output", str(blocker / "report.txt"))
    assert r.returncode == 2 and "cannot write" in r.stderr


def test_version_and_help(advisor_cli):
    r = advisor_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("advisor 1.") and "knowledge base 2026." in r.stdout
    for args in (["--help"], ["diagnose", "--help"], ["kb", "--help"], ["inspect", "--help"], ["triage", "--help"]):
        r = advisor_cli(*args)
        assert r.returncode == 0 and "usage:" in r.stdout
