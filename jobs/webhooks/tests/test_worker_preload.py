"""A forking worker fills the URL resolver before it forks: a job event's payload has
reversed links, and each work-horse would otherwise import every URLconf again at
completion (seconds on a busy machine, all of it webhook latency)."""

from django.urls import clear_url_caches, get_resolver
from rq import Worker

from jobs import queueing
from jobs.worker import ForkingWorker


def test_the_forking_worker_fills_the_url_resolver_before_it_forks(monkeypatch, clean_redis):
    monkeypatch.setattr(Worker, "work", lambda self, *args, **kwargs: True)
    monkeypatch.setattr("jobs.worker.preload_engines", lambda names: None)
    clear_url_caches()
    assert not get_resolver()._populated
    worker = ForkingWorker([queueing.get_queue("cpu", redis=clean_redis)], connection=clean_redis)
    worker.work()
    assert get_resolver()._populated
