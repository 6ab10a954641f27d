"""The accounts file: format, errors with file/line/key, lazy secrets that never leak."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from composer.text.options import PostOptions
from composer.text.platform_facts import FACTS
from composer.workspace.config import (
    Account,
    Config,
    ConfigError,
    Secret,
    load_config,
    parse_config,
)
from composer.workspace.toml_lines import key_lines, line_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "accounts.example.toml"
FAKE = "s3cr3t-FAKE-7f1c9e"  # a distinctive fake secret: it must never show up anywhere
POSIX = pytest.mark.skipif(os.name != "posix", reason="file modes and shell commands are POSIX")

X_OAUTH1 = """\
consumer_key_env = "T_CK"
consumer_secret_env = "T_CS"
access_token_env = "T_AT"
access_token_secret_env = "T_ATS"
"""
MASTO = """\
[accounts.ank-masto]
platform = "mastodon"
instance = "https://mastodon.social"
access_token_env = "T_MASTO"
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def x_account(extra: str = "", auth: str = X_OAUTH1) -> str:
    return f'[accounts.ank-x]\nplatform = "x"\nhandle = "@example"\n{auth}{extra}'


# --------------------------------------------------------------------------- load errors


@dataclass(frozen=True)
class Bad:
    id: str
    text: str
    line: int
    expect: tuple[str, ...]
    mode: int = 0o600


BAD = [
    Bad(
        "malformed TOML: value missing",
        '[accounts.ank-x]\nplatform = "x"\nhandle =\n',
        3,
        ("invalid TOML", "column"),
    ),
    Bad(
        "malformed TOML: unclosed string",
        '[defaults]\ntimezone = "Asia/Almaty\nmode = "fewest"\n',
        2,
        ("invalid TOML",),
    ),
    Bad(
        "malformed TOML: key given twice",
        '[defaults]\nmode = "fewest"\nmode = "balanced"\n',
        3,
        ("invalid TOML",),
    ),
    Bad(
        "malformed TOML: unclosed table header",
        "[defaults\n",
        1,
        ("invalid TOML",),
    ),
    Bad(
        "unknown platform",
        '[accounts.a]\nplatform = "twitter"\n',
        2,
        (
            "accounts.a: unknown platform 'twitter' (did you mean 'x'?)",
            "x, mastodon, bluesky, threads",
        ),
    ),
    Bad(
        "unknown platform close to a known one",
        '[accounts.a]\nplatform = "mastadon"\n',
        2,
        ("did you mean 'mastodon'?",),
    ),
    Bad("platform missing", '[accounts.a]\nhandle = "@a"\n', 1, ("missing key 'platform'",)),
    Bad(
        "unknown key with suggestion",
        "# comment\n" * 7
        + '[accounts.ank-x]\nplatform = "mastodon"\ninstance = "https://m.example"\n\n'
        + 'acess_token_env = "T"\n',
        12,
        (
            "accounts.toml:12: accounts.ank-x: unknown key 'acess_token_env' "
            "(did you mean 'access_token_env'?)",
        ),
    ),
    Bad(
        "unknown top-level table",
        '\n[acounts.ank-x]\nplatform = "x"\n',
        2,
        ("unknown key 'acounts' (did you mean 'accounts'?)",),
    ),
    Bad(
        "unknown key of a contact",
        '[contacts.hrw]\nnmae = "Human Rights Watch"\n',
        2,
        ("contacts.hrw: unknown key 'nmae' (did you mean 'name'?)",),
    ),
    Bad(
        "unknown key in hashtags",
        '[hashtags]\nterm = ["OSCE"]\n',
        2,
        ("hashtags: unknown key 'term' (did you mean 'terms'?)",),
    ),
    Bad(
        "unknown key in defaults",
        '[defaults]\ntimezon = "UTC"\n',
        2,
        ("defaults: unknown key 'timezon' (did you mean 'timezone'?)",),
    ),
    Bad(
        "a mastodon key on an x account",
        x_account('instance = "https://mastodon.social"\n'),
        8,
        ("unknown key 'instance'", "mastodon accounts"),
    ),
    Bad(
        "a linkedin account without its author",
        '[accounts.li]\nplatform = "linkedin"\naccess_token_env = "LI"\n',
        1,
        ("missing key 'author' for a linkedin account",),
    ),
    Bad(
        "a linkedin author that is not a member's or a page's URN",
        '[accounts.li]\nplatform = "linkedin"\nauthor = "Almaty Monitor"\naccess_token_env = "L"\n',
        3,
        ("author must be urn:li:person:ID or urn:li:organization:ID", "'Almaty Monitor'"),
    ),
    Bad(
        "a linkedin overflow that is not refuse or comments",
        '[accounts.li]\nplatform = "linkedin"\nauthor = "urn:li:person:a1"\n'
        'access_token_env = "L"\noverflow = "thread"\n',
        5,
        ("overflow must be one of refuse, comments, not 'thread'",),
    ),
    Bad(
        "a linkedin api_version that is not a month",
        '[accounts.li]\nplatform = "linkedin"\nauthor = "urn:li:person:a1"\n'
        'access_token_env = "L"\napi_version = "2026-10"\n',
        5,
        ("api_version must be a month like",),
    ),
    Bad(
        "a linkedin account without its token",
        '[accounts.li]\nplatform = "linkedin"\nauthor = "urn:li:organization:1"\n',
        1,
        ("missing secret",),
    ),
    Bad(
        "http base_url on a non-loopback host",
        x_account('base_url = "http://api.x.com"\n'),
        8,
        ("base_url 'http://api.x.com'", "loopback"),
    ),
    Bad(
        "http base_url on a private, not loopback, address",
        x_account('base_url = "http://192.168.1.10:8080"\n'),
        8,
        ("loopback",),
    ),
    Bad(
        "http mastodon instance",
        MASTO.replace("https://mastodon.social", "http://mastodon.social"),
        3,
        ("instance 'http://mastodon.social'", "loopback"),
    ),
    Bad(
        "base_url that is not a URL",
        x_account('base_url = "api.x.com"\n'),
        8,
        ("https://",),
    ),
    Bad(
        "base_url with credentials is not echoed",
        x_account(f'base_url = "https://user:{FAKE}@api.x.com"\n'),
        8,
        ("<URL with credentials>",),
    ),
    Bad(
        "incomplete X OAuth 1.0a",
        x_account(auth='consumer_key_env = "A"\naccess_token_env = "B"\n'),
        1,
        ("incomplete X OAuth 1.0a", "consumer_secret", "access_token_secret"),
    ),
    Bad(
        "both X schemes",
        x_account('oauth2_access_token_env = "X2"\n'),
        8,
        ("one X auth scheme, not both",),
    ),
    Bad(
        "no X credentials",
        x_account(auth=""),
        1,
        ("no X credentials", "consumer_key_env", "oauth2_access_token_env"),
    ),
    Bad(
        "X OAuth 2.0 refresh token without client_id",
        x_account(auth='oauth2_access_token_env = "A"\noauth2_refresh_token_env = "R"\n'),
        1,
        ("incomplete X OAuth 2.0", "client_id"),
    ),
    Bad(
        "X OAuth 2.0 without the access token",
        x_account(auth='client_id = "abc"\nclient_secret_env = "S"\n'),
        1,
        ("incomplete X OAuth 2.0", "oauth2_access_token"),
    ),
    Bad(
        "daily_post_quota not an integer",
        x_account('daily_post_quota = "17"\n'),
        8,
        ("daily_post_quota must be a positive integer",),
    ),
    Bad(
        "mastodon without instance",
        '[accounts.m]\nplatform = "mastodon"\naccess_token_env = "T"\n',
        1,
        ("missing key 'instance'",),
    ),
    Bad(
        "mastodon without token",
        '[accounts.m]\nplatform = "mastodon"\ninstance = "https://m.example"\n',
        1,
        ("missing secret access_token", "access_token_env"),
    ),
    Bad(
        "mastodon direct reply visibility",
        MASTO + 'reply_visibility = "direct"\n',
        5,
        ("reply_visibility must be one of public, unlisted, private",),
    ),
    Bad(
        "mastodon max_characters as a string",
        MASTO + 'max_characters = "500"\n',
        5,
        ("max_characters must be a positive integer",),
    ),
    Bad(
        "x replies nobody knows",
        x_account('replies = "friends"\n'),
        8,
        ("replies must be one of everyone, mentioned, following, nobody",),
    ),
    Bad(
        "bluesky quotes not a choice",
        '[accounts.b]\nplatform = "bluesky"\nhandle = "me.bsky.social"\n'
        'app_password_env = "P"\nquotes = "some"\n',
        5,
        ('quotes must be true, false or "none"',),
    ),
    Bad(
        "visibility on bluesky",
        '[accounts.b]\nplatform = "bluesky"\nhandle = "me.bsky.social"\n'
        'app_password_env = "P"\nvisibility = "unlisted"\n',
        5,
        ("visibility",),
    ),
    Bad(
        "mastodon bad language",
        MASTO + 'language = "English"\n',
        5,
        ("language must be a language code like",),
    ),
    Bad(
        "bluesky without handle",
        '[accounts.b]\nplatform = "bluesky"\napp_password_env = "P"\n',
        1,
        ("missing key 'handle'",),
    ),
    Bad(
        "bluesky account handle not domain-like",
        '[accounts.b]\nplatform = "bluesky"\nhandle = "example"\napp_password_env = "P"\n',
        3,
        ("bad bluesky handle 'example'",),
    ),
    Bad(
        "threads without user_id",
        '[accounts.t]\nplatform = "threads"\naccess_token_env = "T"\n',
        1,
        ("missing key 'user_id'",),
    ),
    Bad(
        "secret given two ways",
        MASTO + 'access_token_cmd = "pass show masto"\n',
        5,
        ("give 'access_token' once, not as access_token_env and access_token_cmd",),
    ),
    Bad(
        "env var name that is not one",
        MASTO.replace('"T_MASTO"', '"MY TOKEN"'),
        4,
        ("access_token_env must name an environment variable",),
    ),
    Bad(
        "unparsable secret command",
        MASTO.replace('access_token_env = "T_MASTO"', "access_token_cmd = 'pass show \"x'"),
        4,
        ("cannot parse the command",),
    ),
    Bad(
        "inline secret in a group/world-readable file",
        MASTO.replace('access_token_env = "T_MASTO"', f'access_token = "{FAKE}"'),
        4,
        ("inline secret 'access_token'", "mode 0644", "chmod 600", "access_token_env"),
        mode=0o644,
    ),
    Bad(
        "inline secret in a group-readable file",
        MASTO.replace('access_token_env = "T_MASTO"', f'access_token = "{FAKE}"'),
        4,
        ("mode 0640", "chmod 600"),
        mode=0o640,
    ),
    Bad(
        "inline secret of the wrong type is not echoed",
        MASTO.replace('access_token_env = "T_MASTO"', f'access_token = ["{FAKE}"]'),
        4,
        ("access_token must be a non-empty string",),
    ),
    Bad(
        "contact x handle too long",
        '[contacts.hrw]\nname = "HRW"\nx = "@this_is_far_too_long"\n',
        3,
        ("contacts.hrw: bad x handle '@this_is_far_too_long' for 'x'", "1-15"),
    ),
    Bad(
        "contact x handle with a hyphen",
        '[contacts.hrw]\nname = "HRW"\nx = "@human-rights"\n',
        3,
        ("bad x handle",),
    ),
    Bad(
        "contact mastodon handle without domain",
        '[contacts.hrw]\nname = "HRW"\nmastodon = "@hrw"\n',
        3,
        ("bad mastodon handle '@hrw'", "@user@domain"),
    ),
    Bad(
        "contact bluesky handle not domain-like",
        '[contacts.hrw]\nname = "HRW"\n\nbluesky = "@hrw"\n',
        4,
        ("bad bluesky handle '@hrw'", "@handle.domain"),
    ),
    Bad(
        "contact threads handle with a space",
        '[contacts.hrw]\nname = "HRW"\nthreads = "@human rights"\n',
        3,
        ("bad threads handle",),
    ),
    Bad(
        "contact without a name",
        '[contacts.hrw]\nx = "@hrw"\n',
        1,
        ("contacts.hrw: missing key 'name'",),
    ),
    Bad(
        "contact handle not a string",
        '[contacts.hrw]\nname = "HRW"\nx = 5\n',
        3,
        ("x must be a handle string",),
    ),
    Bad(
        "bad timezone",
        '[defaults]\ntimezone = "Asia/Almati"\n',
        2,
        ("defaults: unknown time zone 'Asia/Almati'",),
    ),
    Bad(
        "timezone that is a path",
        '[defaults]\ntimezone = "../../etc/passwd"\n',
        2,
        ("unknown time zone",),
    ),
    Bad(
        "bad numbering",
        '[defaults]\nnumbering = "{i} of {total}"\n',
        2,
        ("bad numbering format", "{total}"),
    ),
    Bad(
        "bad mode",
        '[defaults]\nmode = "fastest"\n',
        2,
        ("mode must be one of balanced, fewest, cleanest",),
    ),
    Bad(
        "hashtag terms not a list",
        '[hashtags]\nterms = "OSCE"\n',
        2,
        ("terms must be a list of strings",),
    ),
    Bad(
        "hashtag term listed twice",
        '[hashtags]\nterms = ["OSCE", "osce"]\n',
        2,
        ("'osce' is listed twice",),
    ),
    Bad(
        "always tag with a space",
        '[hashtags]\nalways = ["#Election Watch"]\n',
        2,
        ("always: bad hashtag '#Election Watch'",),
    ),
    Bad(
        "link_card not a boolean",
        '[accounts.b]\nplatform = "bluesky"\nhandle = "@me.bsky.social"\n'
        'app_password_env = "P"\nlink_card = "no"\n',
        5,
        ("accounts.b: link_card must be true or false, not 'no'",),
    ),
    Bad(
        "link_card on mastodon",
        '[accounts.m]\nplatform = "mastodon"\ninstance = "https://mastodon.social"\n'
        'access_token_env = "T"\nlink_card = false\n',
        5,
        ("accounts.m:", "link_card", "bluesky"),
    ),
    Bad("accounts not a table", "accounts = 3\n", 1, ("'accounts' must be a table",)),
    Bad(
        "account not a table",
        "[accounts]\nank-x = 3\n",
        2,
        ("accounts: 'ank-x' must be a table",),
    ),
]


@POSIX
@pytest.mark.parametrize("case", BAD, ids=[case.id for case in BAD])
def test_config_errors_name_file_line_and_key(tmp_path: Path, case: Bad) -> None:
    path = write(tmp_path, case.text, case.mode)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{case.line}: "), message
    for part in case.expect:
        assert part in message, message
    assert FAKE not in message
    assert "\n" not in message


def test_missing_file_suggests_copying_the_example(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cp accounts\.example\.toml .*accounts\.toml"):
        load_config(tmp_path / "accounts.toml")


def test_folder_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)
    path = tmp_path / "accounts.toml"
    path.write_bytes(b'[defaults]\nmode = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_inline_secret_without_a_file_is_refused() -> None:
    text = MASTO.replace('access_token_env = "T_MASTO"', f'access_token = "{FAKE}"')
    if os.name == "posix":
        with pytest.raises(ConfigError, match="access_token_env") as caught:
            parse_config(text)
        assert FAKE not in str(caught.value)


# --------------------------------------------------------------------------- accepted


def test_example_file_loads_without_any_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        monkeypatch.delenv(name)
    config = load_config(EXAMPLE)
    assert {"ank-x", "ank-masto", "ank-bsky", "ank-threads", "ank-linkedin"} <= set(config.accounts)
    assert {"hrw", "freedomhouse"} <= set(config.contacts)
    assert {a.platform for a in config.accounts.values()} == set(FACTS)
    assert config.account("ank-x").x_auth == "oauth1"
    assert config.account("ank-x-oauth2").x_auth == "oauth2"
    assert config.account("ank-bsky").service == "https://bsky.social"
    assert config.account("ank-masto").api_url == "https://mastodon.social"
    assert config.account("ank-threads").api_url == "https://graph.threads.net/v1.0"
    assert config.hashtags.terms == ("Kazakhstan", "OSCE", "Human Rights")
    assert config.hashtags.always == ("ElectionWatch",)
    assert config.defaults.timezone == "Asia/Almaty"


def test_example_secrets_are_all_env() -> None:
    config = load_config(EXAMPLE)
    kinds = {s.kind for a in config.accounts.values() for s in a.secret_sources.values()}
    assert kinds == {"env"}


def test_example_covers_the_accounts_and_contacts_of_the_example_draft() -> None:
    from composer.workspace.drafts import load_draft

    draft = load_draft(str(ROOT / "drafts" / "example.md"))
    config = load_config(EXAMPLE)
    for name in draft.meta["accounts"]:
        config.account(name)
    for platform in ("x", "mastodon", "bluesky", "threads"):
        config.mentions_for(draft.meta["mentions"], platform)


def test_design_md_example_loads(tmp_path: Path) -> None:
    text = """
[accounts.ank-x]
platform = "x"
handle = "@example"
base_url = "https://api.x.com"
consumer_key_env = "X_CONSUMER_KEY"
consumer_secret_env = "X_CONSUMER_SECRET"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"

[accounts.ank-masto]
platform = "mastodon"
instance = "https://mastodon.social"
access_token_env = "MASTODON_TOKEN"

[accounts.ank-bsky]
platform = "bluesky"
service = "https://bsky.social"
handle = "example.bsky.social"
app_password_env = "BSKY_APP_PASSWORD"

[contacts.hrw]
name = "Human Rights Watch"
x = "@hrw"
mastodon = "@hrw@mastodon.social"
bluesky = "@hrw.org"

[hashtags]
terms = ["Kazakhstan", "OSCE", "Human Rights"]
"""
    config = load_config(write(tmp_path, text, 0o644))
    assert list(config.accounts) == ["ank-x", "ank-masto", "ank-bsky"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.3.4.5/api",
        "http://[::1]:9000",
        "http://localhost:3000/",
        "https://api.x.com",
        "https://example.org:8443/x",
    ],
)
def test_accepted_base_urls(tmp_path: Path, url: str) -> None:
    config = load_config(write(tmp_path, x_account(f'base_url = "{url}"\n')))
    assert config.account("ank-x").api_url == url.rstrip("/")


def test_every_platform_and_optional_key(tmp_path: Path) -> None:
    text = (
        x_account('daily_post_quota = 17\nreplies = "following"\n')
        + '\n[accounts.x2]\nplatform = "X"\nhandle = "example"\n'
        + 'oauth2_access_token_env = "A"\noauth2_refresh_token_env = "R"\nclient_id = "cid"\n'
        + MASTO.replace("ank-masto", "m")
        + 'max_characters = 1000\nreply_visibility = "unlisted"\nlanguage = "ru"\n'
        + 'visibility = "private"\n'
        + 'handle = "@me@mastodon.social"\n'
        + '[accounts.b]\nplatform = "bluesky"\nhandle = "@me.bsky.social"\napp_password_env = "P"\n'
        + 'service = "http://localhost:2583"\nlink_card = false\nlanguage = "kk"\n'
        + 'replies = "nobody"\nquotes = "none"\n'
        + '[accounts.t]\nplatform = "threads"\nuser_id = 12345\naccess_token_env = "T"\n'
        + 'replies = "mentioned"\n'
        + '[accounts.li]\nplatform = "linkedin"\nhandle = "Almaty Rights Monitor"\n'
        + 'author = "urn:li:organization:2414183"\naccess_token_env = "L"\n'
        + '[accounts.li2]\nplatform = "linkedin"\nauthor = "urn:li:person:Dk968RHxiO"\n'
        + 'access_token_cmd = "pass show li"\noverflow = "comments"\napi_version = 202610\n'
    )
    config = load_config(write(tmp_path, text))
    assert config.account("ank-x").daily_post_quota == 17
    x2 = config.account("x2")
    assert (x2.platform, x2.handle, x2.client_id, x2.x_auth) == ("x", "@example", "cid", "oauth2")
    m = config.account("m")
    assert (m.max_characters, m.reply_visibility, m.language) == (1000, "unlisted", "ru")
    assert m.post_options == PostOptions("ru", "private", "unlisted")
    assert config.account("ank-x").post_options == PostOptions(replies="following")
    assert config.account("t").post_options == PostOptions(replies="mentioned")
    b = config.account("b")
    assert b.post_options == PostOptions(language="kk", replies="nobody", quotes="nobody")
    assert (b.handle, b.api_url) == ("me.bsky.social", "http://localhost:2583")
    assert (b.handle, b.api_url, b.link_card) == ("me.bsky.social", "http://localhost:2583", False)
    assert config.account("t").user_id == "12345"
    li, li2 = config.account("li"), config.account("li2")
    assert (li.platform, li.author, li.overflow, li.api_version) == (
        "linkedin",
        "urn:li:organization:2414183",
        "refuse",
        None,
    )
    assert (li2.author, li2.overflow, li2.api_version) == (
        "urn:li:person:Dk968RHxiO",
        "comments",
        "202610",
    )


def test_empty_file_is_a_valid_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing yet\n"))
    assert config.accounts == {} and config.contacts == {}
    with pytest.raises(ConfigError, match="unknown account 'ank-x'"):
        config.account("ank-x")


def test_unknown_account_lists_known_ones() -> None:
    config = load_config(EXAMPLE)
    with pytest.raises(ConfigError, match=r"unknown account 'ank-mast'.*did you mean 'ank-masto'"):
        config.account("ank-mast")


# --------------------------------------------------------------------------- secrets


def account_from(tmp_path: Path, secret_line: str, mode: int = 0o600) -> Account:
    text = (
        '[accounts.m]\nplatform = "mastodon"\ninstance = "https://mastodon.social"\n'
        + secret_line
        + "\n"
    )
    return load_config(write(tmp_path, text, mode), command_timeout=5).account("m")


def cmd(command: str) -> str:
    return "access_token_cmd = " + json.dumps(command)  # a JSON string is a TOML string


@dataclass(frozen=True)
class BadSecret:
    id: str
    line: str
    expect: tuple[str, ...]
    env: dict[str, str] | None = None
    timeout: float | None = None


BAD_SECRETS = [
    BadSecret(
        "env var not set",
        'access_token_env = "TC_UNSET_VAR"',
        ("accounts.m", "access_token_env", "TC_UNSET_VAR is not set"),
    ),
    BadSecret(
        "env var empty",
        'access_token_env = "TC_EMPTY_VAR"',
        ("TC_EMPTY_VAR is empty",),
        env={"TC_EMPTY_VAR": ""},
    ),
    BadSecret(
        "command fails",
        cmd("false"),
        ("accounts.m", "access_token_cmd", "command 'false' failed with exit status 1"),
    ),
    BadSecret(
        "command not found",
        cmd("tc-no-such-command-xyz show token"),
        ("access_token_cmd", "command not found", "tc-no-such-command-xyz"),
    ),
    BadSecret(
        "command times out",
        cmd("sleep 5"),
        ("access_token_cmd", "'sleep 5' did not finish within 0.2 s"),
        timeout=0.2,
    ),
    BadSecret("command prints nothing", cmd("true"), ("printed nothing",)),
    BadSecret(
        "failing command's output is not shown",
        cmd("sh -c 'echo $TC_SECRET; echo $TC_SECRET >&2; exit 3'"),
        ("exit status 3",),
        env={"TC_SECRET": FAKE},
    ),
]


@POSIX
@pytest.mark.parametrize("case", BAD_SECRETS, ids=[case.id for case in BAD_SECRETS])
def test_secret_errors_name_account_key_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: BadSecret
) -> None:
    monkeypatch.delenv("TC_UNSET_VAR", raising=False)
    for name, value in (case.env or {}).items():
        monkeypatch.setenv(name, value)
    account = account_from(tmp_path, case.line)
    with pytest.raises(ConfigError) as caught:
        account.secret("access_token", timeout=case.timeout)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'accounts.toml'}:4: accounts.m: "), message
    for part in case.expect:
        assert part in message, message
    assert FAKE not in message


def test_unconfigured_secret_is_an_error(tmp_path: Path) -> None:
    account = account_from(tmp_path, 'access_token_env = "T"')
    with pytest.raises(ConfigError, match="no secret 'app_password'"):
        account.secret("app_password")


@POSIX
def test_secret_command_first_line(tmp_path: Path) -> None:
    account = account_from(tmp_path, cmd(f"printf '%s\\n%s\\n' {FAKE} second-line"))
    assert account.secret("access_token") == FAKE


@POSIX
def test_secret_command_is_not_run_through_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "injected"
    account = account_from(tmp_path, cmd(f"echo {FAKE}; touch {marker}"))
    assert account.secret("access_token") == f"{FAKE}; touch {marker}"
    assert not marker.exists()


@POSIX
def test_secret_command_runs_once_and_is_cached(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    account = account_from(tmp_path, cmd(f"sh -c 'echo run >> {counter}; echo {FAKE}'"))
    assert account.secret("access_token") == FAKE
    assert account.secret("access_token") == FAKE
    assert counter.read_text() == "run\n"


def test_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TC_MASTO_TOKEN", FAKE)
    account = account_from(tmp_path, 'access_token_env = "TC_MASTO_TOKEN"')
    assert account.secret("access_token") == FAKE
    assert repr(account.secret_value("access_token")) == "Secret('***')"


@POSIX
def test_inline_secret_accepted_at_0600(tmp_path: Path) -> None:
    account = account_from(tmp_path, f'access_token = "{FAKE}"', mode=0o600)
    assert account.secret("access_token") == FAKE
    assert account.secret_sources["access_token"].kind == "inline"


@POSIX
def test_inline_secret_accepted_at_0400(tmp_path: Path) -> None:
    account = account_from(tmp_path, f'access_token = "{FAKE}"', mode=0o400)
    assert account.secret("access_token") == FAKE


def test_secrets_are_lazy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TC_UNSET_VAR", raising=False)
    marker = tmp_path / "ran"
    text = (
        x_account()
        + '[accounts.m]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        + cmd(f"touch {marker}")
    )
    config = load_config(write(tmp_path, text))
    assert not marker.exists()
    assert config.account("m").has_secret("access_token")


# --------------------------------------------------------------------------- no leaks


def test_secret_wrapper_hides_its_value() -> None:
    secret = Secret(FAKE)
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "Secret('***')"
    assert FAKE not in f"{secret} {secret!r} {[secret]} { ({'k': secret}) }"
    assert secret.reveal() == FAKE
    assert secret == Secret(FAKE) and secret != Secret("other")


@POSIX
def test_secrets_never_in_repr_or_str(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TC_TOKEN", FAKE)
    text = (
        '[accounts.inline]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        f'access_token = "{FAKE}"\n'
        '[accounts.env]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        'access_token_env = "TC_TOKEN"\n'
        '[accounts.cmd]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
        f"access_token_cmd = 'echo {FAKE}'\n"
    )
    config = load_config(write(tmp_path, text))
    for account in config.accounts.values():
        assert account.secret("access_token") == FAKE  # resolved and cached
        for shown in (repr(account), str(account), f"{account}", repr(account.secret_sources)):
            assert FAKE not in shown
            assert "echo" not in shown  # a command line may carry a secret: not shown either
    assert FAKE not in repr(config) and FAKE not in str(config)
    assert "TC_TOKEN" in repr(config.account("env"))  # variable names are fine to show


# --------------------------------------------------------------------------- mentions

MENTIONS = [
    ("x", ["@hrw", "@freedomhouse"], []),
    (
        "mastodon",
        ["@hrw@mastodon.social", "Freedom House"],
        ["contact 'freedomhouse' has no mastodon handle: using the name \"Freedom House\""],
    ),
    ("bluesky", ["@hrw.org", "@freedomhouse.org"], []),
    (
        "threads",
        ["@humanrightswatch", "Freedom House"],
        ["contact 'freedomhouse' has no threads handle: using the name \"Freedom House\""],
    ),
    (
        "linkedin",
        ["Human Rights Watch", "Freedom House"],
        [
            "contact 'hrw' has no linkedin handle: using the name \"Human Rights Watch\"",
            "contact 'freedomhouse' has no linkedin handle: using the name \"Freedom House\"",
        ],
    ),
]


@pytest.mark.parametrize(
    ("platform", "mentions", "warnings"), MENTIONS, ids=[m[0] for m in MENTIONS]
)
def test_mentions_per_platform(platform: str, mentions: list[str], warnings: list[str]) -> None:
    config = load_config(EXAMPLE)
    assert config.mentions_for(["hrw", "freedomhouse"], platform) == (mentions, warnings)


def test_missing_handle_warning_wording(tmp_path: Path) -> None:
    text = '[contacts.hrw]\nname = "Human Rights Watch"\nx = "hrw"\n'
    config = load_config(write(tmp_path, text))
    assert config.contacts["hrw"].handle("x") == "@hrw"  # "@" added when left out
    assert config.mentions_for(["hrw"], "bluesky") == (
        ["Human Rights Watch"],
        ["contact 'hrw' has no bluesky handle: using the name \"Human Rights Watch\""],
    )


def test_unknown_contact_lists_known_ones() -> None:
    config = load_config(EXAMPLE)
    with pytest.raises(ConfigError) as caught:
        config.mentions_for(["hrw", "amnesty"], "x")
    message = str(caught.value)
    assert "unknown contact 'amnesty'" in message
    assert "known contacts: hrw, freedomhouse" in message


def test_mentions_for_unknown_platform() -> None:
    with pytest.raises(ConfigError, match="unknown platform 'myspace'"):
        Config().mentions_for([], "myspace")


def test_unknown_contact_with_empty_address_book() -> None:
    with pytest.raises(ConfigError, match=r"known contacts: none"):
        Config().mentions_for(["hrw"], "x")


# --------------------------------------------------------------------------- key lines

LINES = [
    ("table header", "[a]\nb = 1\n\n[c.d]\ne = 2\n", ("c", "d"), 4),
    ("key in a table", "[a]\nb = 1\n\n[c.d]\ne = 2\n", ("c", "d", "e"), 5),
    ("implicit parent table", "[a]\nb = 1\n\n[c.d]\ne = 2\n", ("c",), 4),
    ("quoted key", '[accounts."ank x"]\n"my key" = 1\n', ("accounts", "ank x", "my key"), 2),
    ("dotted key", "[a]\nb.c = 1\nb.d = 2\n", ("a", "b", "d"), 3),
    ("top-level dotted key", 'accounts.x.platform = "x"\n', ("accounts", "x", "platform"), 1),
    ("inline table falls back", "a = { b = 1 }\n", ("a", "b"), 1),
    ("multiline string skipped", 's = """\nfake = 1\n"""\nreal = 2\n', ("fake",), 1),
    ("after a multiline string", 's = """\nfake = 1\n"""\nreal = 2\n', ("real",), 4),
    ("header with a comment", "# c\n[ a . b ]  # note\nk = 1\n", ("a", "b", "k"), 3),
    ("not found", "[a]\n", ("z",), 1),
]


@pytest.mark.parametrize(
    ("text", "path", "line"), [c[1:] for c in LINES], ids=[c[0] for c in LINES]
)
def test_key_lines(text: str, path: tuple[str, ...], line: int) -> None:
    assert line_of(key_lines(text), path) == line


def test_deeply_nested_toml_is_one_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text("a = " + "{b=" * 5000 + "1" + "}" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}: invalid TOML: values nested too deeply"):
        load_config(path)
