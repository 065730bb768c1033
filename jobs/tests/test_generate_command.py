"""`manage.py generate`: its options and checks come from the job-parameter contract."""

from __future__ import annotations

import io

import av
import pytest
from django.core.management import CommandError, call_command


def test_it_renders_an_mp4_with_the_contracts_options(tmp_path):
    out = tmp_path / "clip.mp4"
    stdout = io.StringIO()

    call_command("generate", "a red fox at dawn", "--resolution", "480p", "--quality", "low", "--duration", "1",
                 "--out", str(out), stdout=stdout, stderr=io.StringIO())

    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
    assert (tmp_path / "clip.jpg").exists()
    assert "854x480" in stdout.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    (["--duration", "61"], "duration: Must be between 1 and 60 seconds."),
    (["--duration", "0"], "duration: Must be between 1 and 60 seconds."),
    (["--model", "wan2.1-t2v-1.3b", "--resolution", "480p", "--duration", "6"],
     "duration: Model 'wan2.1-t2v-1.3b' renders at most 5 seconds; got 6."),
    (["--model", "wan2.1-t2v-1.3b", "--resolution", "4k"], "resolution: Model 'wan2.1-t2v-1.3b' supports 480p, 720p"),
    (["--model", "nope"], "Unknown model 'nope'"),
])
def test_it_refuses_what_the_api_refuses_with_the_same_message(tmp_path, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call_command("generate", "a fox", *args, "--out", str(tmp_path / "x.mp4"), stderr=io.StringIO())


def test_a_blank_prompt_is_refused(tmp_path):
    with pytest.raises(CommandError, match="prompt: This field may not be blank."):
        call_command("generate", "   ", "--out", str(tmp_path / "x.mp4"))


def test_its_choices_are_the_contracts():
    from jobs.management.commands.generate import Command

    parser = Command().create_parser("manage.py", "generate")
    actions = {action.dest: action for action in parser._actions}
    assert actions["resolution"].choices == ["480p", "720p", "1080p", "4k"]
    assert actions["quality"].choices == ["low", "medium", "high"]
    assert actions["duration"].default == 5
