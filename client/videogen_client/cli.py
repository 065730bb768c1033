"""The `videogen` command line.

Exit codes: 0 done; 1 the job failed or was cancelled; 2 usage or authentication
errors (and any other error), with a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import json
import socket
import sys
from typing import Any, Optional, Sequence

from videogen_client import config
from videogen_client.client import DEFAULT_URL, TERMINAL, Client
from videogen_client.errors import APIError, VideogenError
from videogen_client.progress import RunProgress, describe

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    pass


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ask(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.strip()


def _client(args) -> Client:
    url, api_key = config.resolve(getattr(args, "url", None), getattr(args, "api_key", None))
    if not api_key:
        raise UsageError("not logged in: run `videogen login`, or set VIDEOGEN_API_KEY")
    return Client(url or DEFAULT_URL, api_key)


# --- commands ------------------------------------------------------------------------------------

def cmd_login(args) -> int:
    url, api_key = getattr(args, "url", None), getattr(args, "api_key", None)
    if not url:
        default = config.resolve(None, None)[0] or DEFAULT_URL
        url = _ask(f"Server URL [{default}]: ") or default
    url = url.rstrip("/")
    if api_key:
        key = api_key
        with Client(url, key) as client:
            who = client.me()
    else:
        email = args.email or _ask("Email: ")
        password = getpass.getpass("Password: ", stream=sys.stderr)
        name = f"videogen CLI on {socket.gethostname() or 'this machine'}"[:100]
        created = Client.create_key_with_password(url, email, password, name=name, scope="write",
                                                  two_factor_code=lambda: _ask("Two-factor code: "))
        key = created["key"]
        with Client(url, key) as client:
            who = client.me()
    path = config.save(url=url, api_key=key)
    _say(f"Logged in to {url} as {who['email']}; key saved in {path}")
    return EXIT_OK


def _job_params(args) -> dict:
    return {"model": args.model, "resolution": args.resolution, "quality": args.quality,
            "duration": args.duration, "project": args.project, "seed": args.seed}


def _interrupted(client: Client, job: dict) -> int:
    """Ctrl-C while waiting: ask whether to cancel the job on the server too."""
    _say("")
    try:
        answer = _ask(f"Interrupted. Cancel job {job['id']} on the server? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer.lower() in ("y", "yes"):
        cancelled = client.cancel(job)
        _say(f"Job {cancelled['id']} {describe(cancelled)}.")
        return EXIT_JOB_FAILED
    _say(f"Job {job['id']} goes on running; `videogen download {job['id']}` fetches it when done.")
    return EXIT_INTERRUPTED


def cmd_run(args) -> int:
    with _client(args) as client:
        job = client.create_job(args.prompt, **_job_params(args))
        if args.no_wait:
            _print_json(job) if args.json else print(job["id"])
            return EXIT_OK
        progress = RunProgress()
        if not args.json:
            _say(f"Job {job['id']} submitted.")
        try:
            job = client.wait(job, on_progress=progress.job)
        except KeyboardInterrupt:
            progress.close()
            return _interrupted(client, job)
        if job["status"] != "completed":
            progress.close()
            if args.json:
                _print_json(job)
            _say(f"Job {job['id']} {job['status']}: {job.get('errorMessage') or 'no video'}")
            return EXIT_JOB_FAILED
        try:
            path = client.download(job, args.out or f"{job['id']}.mp4", on_progress=progress.download)
        finally:
            progress.close()
        if args.json:
            _print_json({**job, "file": str(path)})
        else:
            print(path)
        return EXIT_OK


def _job_line(job: dict) -> str:
    prompt = job["prompt"].replace("\n", " ")
    prompt = prompt if len(prompt) <= 48 else prompt[:47] + "…"
    return (f"{job['id']:<26} {describe(job):<22} {job['progress']:>3}%  {job['resolution']:<5} "
            f"{(job.get('createdAt') or '')[:19]:<19}  {prompt}")


def cmd_jobs_list(args) -> int:
    with _client(args) as client:
        if args.json:
            page = client.jobs_page(skip=args.skip, take=args.limit, status=args.status, project=args.project)
            _print_json(page)
            return EXIT_OK
        jobs = list(client.jobs(status=args.status, project=args.project, limit=args.limit))
        if not jobs:
            _say("No jobs.")
        for job in jobs:
            print(_job_line(job))
    return EXIT_OK


def cmd_jobs_show(args) -> int:
    with _client(args) as client:
        job = client.job(args.id)
    if args.json:
        _print_json(job)
        return EXIT_OK
    for key in ("id", "status", "progress", "queuePosition", "prompt", "model", "resolution", "quality",
                "duration", "projectId", "attempt", "retryCount", "errorMessage", "createdAt", "completedAt"):
        if job.get(key) not in (None, ""):
            print(f"{key:<14} {job[key]}")
    if job.get("result"):
        print(f"{'video':<14} {job['result'].get('videoUrl')}")
    return EXIT_OK


def _job_action(args, action: str) -> int:
    with _client(args) as client:
        job = getattr(client, action)(args.id)
    _print_json(job) if args.json else print(f"{job['id']} {describe(job)}")
    return EXIT_OK


def cmd_download(args) -> int:
    with _client(args) as client:
        job = client.job(args.id)
        if job["status"] != "completed":
            _say(f"Job {job['id']} is {describe(job)}: no video to download.")
            return EXIT_JOB_FAILED if job["status"] in TERMINAL else EXIT_USAGE
        progress = RunProgress()
        try:
            path = client.download(job, args.out or f"{job['id']}.mp4", on_progress=progress.download)
        finally:
            progress.close()
    print(path)
    return EXIT_OK


def cmd_models(args) -> int:
    with _client(args) as client:
        models = client.models()
    if args.json:
        _print_json({"models": models})
        return EXIT_OK
    for model in models:
        mark = "*" if model.get("default") else " "
        print(f"{mark} {model['id']:<28} {','.join(model.get('resolutions', [])):<22} "
              f"up to {model.get('maxDuration')}s  {model.get('label', '')}")
    return EXIT_OK


def cmd_projects_list(args) -> int:
    with _client(args) as client:
        projects = list(client.projects.list())
    if args.json:
        _print_json({"projects": projects, "total": len(projects)})
        return EXIT_OK
    if not projects:
        _say("No projects.")
    for project in projects:
        print(f"{project['id']:<26} {project['name']}")
    return EXIT_OK


def cmd_projects_create(args) -> int:
    with _client(args) as client:
        project = client.projects.create(args.name, args.description or "")
    _print_json(project) if args.json else print(project["id"])
    return EXIT_OK


# --- parser -------------------------------------------------------------------------------------

def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS, help="server URL (env VIDEOGEN_URL)")
    common.add_argument("--api-key", default=argparse.SUPPRESS, help="API key (env VIDEOGEN_API_KEY)")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print the API's JSON")

    parser = argparse.ArgumentParser(
        prog="videogen", parents=[common],
        description="Submit text-to-video jobs to a videogen server, watch them, download the MP4s.",
        epilog="Exit codes: 0 done, 1 the job failed or was cancelled, 2 usage or authentication error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    login = commands.add_parser("login", parents=[common], help="create an API key for this machine and save it")
    login.add_argument("--email")
    login.set_defaults(handler=cmd_login)

    run = commands.add_parser("run", parents=[common, as_json], help="submit a job, wait, download the MP4")
    run.add_argument("prompt")
    run.add_argument("--model")
    run.add_argument("--resolution", choices=["480p", "720p", "1080p", "4k"])
    run.add_argument("--quality", choices=["low", "medium", "high"])
    run.add_argument("--duration", type=_positive_int, help="seconds")
    run.add_argument("--project", help="project id")
    run.add_argument("--seed", type=_positive_int)
    run.add_argument("--out", help="where to save the MP4 (default: <job id>.mp4)")
    run.add_argument("--no-wait", action="store_true", help="print the job id and return at once")
    run.set_defaults(handler=cmd_run)

    jobs = commands.add_parser("jobs", help="list or show jobs").add_subparsers(dest="jobs_command", required=True,
                                                                               metavar="list|show")
    jobs_list = jobs.add_parser("list", parents=[common, as_json], help="your jobs, newest first")
    jobs_list.add_argument("--status", choices=["queued", "processing", "completed", "failed", "cancelled"])
    jobs_list.add_argument("--project", help="project id")
    jobs_list.add_argument("--limit", type=_positive_int, default=50)
    jobs_list.add_argument("--skip", type=_positive_int, default=0, help="with --json: jobs to skip")
    jobs_list.set_defaults(handler=cmd_jobs_list)
    jobs_show = jobs.add_parser("show", parents=[common, as_json], help="one job")
    jobs_show.add_argument("id")
    jobs_show.set_defaults(handler=cmd_jobs_show)

    for name, helptext in (("cancel", "cancel a job"), ("retry", "retry a failed or cancelled job")):
        action = commands.add_parser(name, parents=[common, as_json], help=helptext)
        action.add_argument("id")
        action.set_defaults(handler=lambda args, _name=name: _job_action(args, _name))

    download = commands.add_parser("download", parents=[common], help="save a completed job's MP4")
    download.add_argument("id")
    download.add_argument("--out")
    download.set_defaults(handler=cmd_download)

    models = commands.add_parser("models", parents=[common, as_json], help="the server's video models")
    models.set_defaults(handler=cmd_models)

    projects = commands.add_parser("projects", help="list or create projects").add_subparsers(
        dest="projects_command", required=True, metavar="list|create")
    projects_list = projects.add_parser("list", parents=[common, as_json], help="your projects")
    projects_list.set_defaults(handler=cmd_projects_list)
    projects_create = projects.add_parser("create", parents=[common, as_json], help="a new project")
    projects_create.add_argument("name")
    projects_create.add_argument("--description")
    projects_create.set_defaults(handler=cmd_projects_create)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 on usage errors
    try:
        return args.handler(args)
    except UsageError as error:
        _say(f"videogen: {error}")
    except APIError as error:
        _say(f"videogen: {error.error} (HTTP {error.status_code})")
    except VideogenError as error:
        _say(f"videogen: {error}")
    except EOFError:
        _say("videogen: no answer on standard input")
    except KeyboardInterrupt:
        _say("videogen: interrupted")
        return EXIT_INTERRUPTED
    return EXIT_USAGE
