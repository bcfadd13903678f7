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
    # A confirmed cause ends the questions: nothing is left unanswered, the rest is listed to
    # keep checking (questions are never asked in scripted mode).
    assert out["conclusion"] == {"diagnosis": "appex-requires-mac-app-store", "status": "confirmed", "reason": "confirmed"}
    assert out["unanswered"] == []
    assert out["keep_checking"] and all({"question", "fact", "text", "cost"} <= set(q) for q in out["keep_checking"])


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
    from tests.knowledge_builder import copy_real_kb

    root = tmp_path / "knowledge"
    copy_real_kb(root)
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


# ---- a conversation that listens, scripted -------------------------------------------------
def test_describe_facts_show_their_source_and_are_not_listed_as_questions(advisor_cli):
    r = advisor_cli(
        "diagnose", "--format", "json", "--describe",
        "My macOS packet tunnel app extension fails to start on a colleague's Mac; it is a development build I copied over",
    )
    out = json.loads(r.stdout)
    stated = {"platform": "macos", "packaging": "appex", "provider_type": "packet-tunnel",
              "distribution": "development", "build_origin": "copied-from-another-mac"}
    for fact, value in stated.items():
        assert out["facts"][fact]["value"] == value and out["facts"][fact]["source"] == "describe", fact
    listed = {q["fact"] for q in out["unanswered"] + out["keep_checking"]}
    assert not listed & set(stated)
    # an answer corrects what the description said
    r = advisor_cli("diagnose", "--format", "json", "--describe", "Our macOS packet tunnel app extension fails.", "--answer", "platform=ios")
    platform = json.loads(r.stdout)["facts"]["platform"]
    assert (platform["value"], platform["source"]) == ("ios", "answer")
    assert [(c["value"], c["source"]) for c in platform["conflicts"]] == [("macos", "describe")]


def test_unknown_means_asked_and_not_known_so_it_is_not_listed_again(advisor_cli):
    r = advisor_cli("diagnose", "--format", "json")
    first = json.loads(r.stdout)["unanswered"][0]
    assert first["cost"] in ("memory", "look", "failing-mac")
    r = advisor_cli("diagnose", "--format", "json", "--answer", f"{first['fact']}=unknown")
    out = json.loads(r.stdout)
    assert first["fact"] not in {q["fact"] for q in out["unanswered"] + out["keep_checking"]}
    assert {"question": first["question"], "answer": "unknown"}.items() <= out["asked"][0].items()


def test_a_question_that_needs_a_look_carries_its_command(advisor_cli):
    r = advisor_cli("diagnose", "--format", "json", "--answer", "platform=macos", "--answer", "packaging=appex",
                    "--answer", "distribution=development", "--answer", "build_origin=copied-from-another-mac")
    out = json.loads(r.stdout)
    questions = {q["fact"]: q for q in out["unanswered"] + out["keep_checking"]}
    signing = questions["signing_identity"]
    assert signing["cost"] == "look" and signing["check"] == "codesign -dvvv /Applications/MyApp.app"
    assert signing["probes"] == ["codesign-app", "codesign-provider"]


def test_advice_is_reported_as_advice(advisor_cli):
    r = advisor_cli("diagnose", "--format", "json", "--describe", "Do I have to disable SIP to debug my macOS system extension?")
    out = json.loads(r.stdout)
    assert [a["id"] for a in out["advice"]] == ["sip-not-required"]
    kinds = {d["id"]: d["kind"] for d in out["diagnoses"]}
    assert kinds["sip-not-required"] == "advice"
    assert all(kind == "cause" for did, kind in kinds.items() if did != "sip-not-required")
    assert out["conclusion"] is None or out["conclusion"]["diagnosis"] != "sip-not-required"
