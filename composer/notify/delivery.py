"""Sending a message to notification targets through Apprise.

Apprise is imported here only, when a message is sent or a URL checked (it takes ~0.35 s
to import: `split` must not pay for it). Each target is sent to in a thread of its own
with socket timeouts, and the caller waits at most `SEND_TIMEOUT` seconds in all: a target
that never answers counts as failed and never holds up the caller longer. Apprise's own
log records stay inside (they may name a URL): each target's last one becomes its error,
redacted.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from composer.notify.messages import Message
from composer.redaction import redact
from composer.workspace.config import Config, ConfigError
from composer.workspace.notify_config import NotifyUrl, masked

SEND_TIMEOUT = 30.0  # seconds to wait for every target of one message
SOCKET_TIMEOUT = 10.0  # Apprise's connect and read timeouts, each


@dataclass(frozen=True, slots=True)
class TargetResult:
    url: NotifyUrl
    ok: bool
    error: str = ""  # redacted

    @property
    def shown(self) -> str:
        return masked(self.url.url)


class _Errors(logging.Handler):
    """Apprise's warnings and errors, by the thread that logged them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_thread: dict[int, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.by_thread[threading.get_ident()] = record.getMessage()


_errors = _Errors()
_loaded: list[ModuleType] = []
_load_lock = threading.Lock()


def _apprise() -> ModuleType:
    with _load_lock:
        if not _loaded:
            with warnings.catch_warnings():  # its pgp module imports imghdr (3.13 drops it)
                warnings.simplefilter("ignore", DeprecationWarning)
                import apprise
                import apprise.utils.pgp  # imported by a plugin later, outside this filter

            log = logging.getLogger("apprise")
            log.propagate = False  # never to the root logger (stderr): records may hold a URL
            log.addHandler(_errors)
            _loaded.append(apprise)
        return _loaded[0]


def _target(url: str) -> Any:
    apprise = _apprise()
    asset = apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY)
    target = apprise.Apprise.instantiate(url, asset=asset)
    if target is not None:
        target.socket_connect_timeout = SOCKET_TIMEOUT
        target.socket_read_timeout = SOCKET_TIMEOUT
    return target


def check_urls(urls: list[NotifyUrl]) -> None:
    """ConfigError (one line naming the file and line, the URL masked) for a URL Apprise
    does not know how to send to."""
    for index, url in enumerate(urls, 1):
        if _target(url.url) is None:
            raise ConfigError(
                f"{url.where}: URL {index} ({masked(url.url)}) is not one Apprise can send to; "
                "see https://github.com/caronc/apprise/wiki for the forms"
            )


def check_config(config: Config) -> None:
    """ConfigError (file and line) when a notification URL cannot be read or is not one
    Apprise knows: at the daemon's start, not at 03:00 when it is needed."""
    for settings in config.all_notify():
        check_urls(settings.urls())


def send(
    urls: list[NotifyUrl], message: Message, *, timeout: float | None = None
) -> list[TargetResult]:
    """Send `message` to every target at once; each target's result after at most
    `timeout` seconds in all (one still sending then is a failure: "no answer")."""
    timeout = SEND_TIMEOUT if timeout is None else timeout
    results: dict[int, TargetResult] = {}

    def one(index: int, url: NotifyUrl) -> None:
        try:
            target = _target(url.url)
            if target is None:
                results[index] = TargetResult(url, False, "not a URL Apprise knows")
                return
            _errors.by_thread.pop(threading.get_ident(), None)
            ok = bool(target.notify(body=message.body, title=message.title))
            why = _errors.by_thread.pop(threading.get_ident(), "the service refused it")
            results[index] = TargetResult(url, ok, "" if ok else redact(why))
        except Exception as error:  # a plugin's own failure stays this target's
            results[index] = TargetResult(url, False, redact(f"{type(error).__name__}: {error}"))

    threads = [
        threading.Thread(target=one, args=(index, url), daemon=True, name="notify")
        for index, url in enumerate(urls)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [
        results.get(index, TargetResult(url, False, f"no answer within {timeout:g} s"))
        for index, url in enumerate(urls)
    ]


def send_trial(config: Config | None) -> list[TargetResult]:
    """`notify test`: a test message to every configured URL (each once, however many
    tables name it); ConfigError when none is configured or one is not Apprise's."""
    from composer.notify.messages import trial_message

    tables = config.all_notify() if config is not None else []
    if not tables:
        raise ConfigError(
            "no [notify] table with urls in the accounts file; see README, Notifications"
        )
    urls: dict[str, NotifyUrl] = {}
    for settings in tables:
        for url in settings.urls():
            urls.setdefault(url.url, url)
    check_urls(list(urls.values()))
    return send(list(urls.values()), trial_message())
