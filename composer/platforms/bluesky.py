"""Bluesky (AT Protocol) client: one session per account, deterministic record keys.

Sessions. `com.atproto.server.createSession` (handle + app password) runs only when there is
no session: neither in this client nor in its `session_store` (the workspace persists
sessions between runs; the default store keeps them in memory). An access token that the
server calls expired (400 `ExpiredToken`/`InvalidToken`, or 401) is renewed with
`com.atproto.server.refreshSession` (the refresh JWT as bearer; it rotates both tokens) and
the request is sent once more; only a refused refresh token leads to a new login. So a
thread never costs a login per post (createSession is limited to 30 per 5 minutes).

Record keys. Every post gets a record key (a TID) chosen before it is sent, the same on
every attempt, so an unclear outcome is resolved by reading that key back (`find_post`,
`com.atproto.repo.getRecord`) and a second create of the same post fails instead of
duplicating it. The publisher gives no timestamp that stays fixed across attempts, so:
- the first post's TID takes its timestamp from a hash of `request.idempotency_key`, within
  2023-01-01 + 2**45 µs (about 13 months: a plausible, past Bluesky time), and its clock id
  from the same hash;
- every later post takes the root's timestamp plus (index - 1) µs, with a clock id from its
  own key's hash, so a thread's keys sort in thread order (`listRecords` shows it in order).
The `createdAt` of the record is the real time (from `clock`); that is what feeds sort by.

Errors map onto composer.platforms.base; messages hold the server's own words and never a
password or token (neither does any repr).
"""

from __future__ import annotations

import asyncio
import hashlib
import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack

import httpx

from composer.platforms import base, errors
from composer.platforms.bluesky_records import (
    POSTGATE_COLLECTION,
    THREADGATE_COLLECTION,
    derive_rkey,
    gate_writes,
    images_embed,
    record_cid,
    rkey_of,
    strong_ref,
)
from composer.redaction import register_secret
from composer.text.facets import facets, to_record_facets
from composer.text.link_cards import LinkCard
from composer.text.platform_facts import FACTS

__all__ = [
    "POST_COLLECTION",
    "BlueskyClient",
    "MemorySessionStore",
    "SessionStore",
    "record_cid",
]

POST_COLLECTION = "app.bsky.feed.post"
# Records a thread's first post may have beside it, under its own record key: who may reply
# (threadgate) and who may quote it (postgate). Deleting the root deletes them too.
GATE_COLLECTIONS = (THREADGATE_COLLECTION, POSTGATE_COLLECTION)
MAX_WRITES = 200  # com.atproto.repo.applyWrites
_AUTH_EXPIRED_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
_SESSION_KEYS = ("did", "handle", "accessJwt", "refreshJwt")


class BlueskyAccount(base.AccountLike, Protocol):
    """What the Bluesky client needs of an account beyond every client's needs."""

    @property
    def handle(self) -> str | None: ...


class SessionStore(Protocol):
    """Keeps one account's session ({did, handle, accessJwt, refreshJwt}) between runs."""

    def load(self) -> Mapping[str, str] | None: ...

    def save(self, session: Mapping[str, str] | None) -> None: ...


class MemorySessionStore:
    """The default store: the session lives as long as this object."""

    def __init__(self, session: Mapping[str, str] | None = None) -> None:
        self.session: dict[str, str] | None = dict(session) if session else None

    def load(self) -> Mapping[str, str] | None:
        return self.session

    def save(self, session: Mapping[str, str] | None) -> None:
        self.session = dict(session) if session else None

    def __repr__(self) -> str:
        state = "a session" if self.session else "no session"
        return f"MemorySessionStore({state})"


@dataclass(frozen=True, slots=True, repr=False)
class _Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Session | None:
        values = [data.get(key) for key in _SESSION_KEYS]
        strings = [value for value in values if isinstance(value, str) and value]
        if len(strings) != len(_SESSION_KEYS):
            return None
        return cls(*strings)

    def __post_init__(self) -> None:
        register_secret(self.access_jwt)
        register_secret(self.refresh_jwt)

    def to_json(self) -> dict[str, str]:
        values = (self.did, self.handle, self.access_jwt, self.refresh_jwt)
        return dict(zip(_SESSION_KEYS, values, strict=True))

    def __repr__(self) -> str:
        return f"_Session(did={self.did!r}, handle={self.handle!r})"


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """The XRPC error name and message of a failed response ("" when absent)."""
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    error, message = data.get("error"), data.get("message")
    return (error if isinstance(error, str) else ""), (message if isinstance(message, str) else "")


def _auth_expired(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 400 and _xrpc_error(response)[0] in _AUTH_EXPIRED_ERRORS


class _XrpcBody(TypedDict, total=False):
    """What an XRPC request carries: query parameters, a JSON body, or raw bytes."""

    params: Mapping[str, str] | None
    json: Any
    content: bytes | None
    content_type: str | None


class BlueskyClient(base.HttpClient[BlueskyAccount]):
    """One Bluesky account on its PDS (`account.api_url`, e.g. https://bsky.social).

    Closing it keeps the session (in the store) for the next run: no deleteSession."""

    platform = "bluesky"

    def __init__(
        self,
        account: BlueskyAccount,
        *,
        session_store: SessionStore | None = None,
        **options: Unpack[base.HttpOptions],
    ) -> None:
        super().__init__(account, **options)
        self._store: SessionStore = session_store or MemorySessionStore()
        self._session: _Session | None = None
        self._lock = asyncio.Lock()
        self._dids: dict[str, str | None] = {}
        self._thumbs: dict[str, str] = {}  # a link card picture's sha256 -> its blob ref

    def _described(self) -> str:
        return f"handle={self._account.handle!r}, service={self._base!r}"

    # --- PlatformClient ---------------------------------------------------------------------

    async def verify(self) -> base.AccountInfo:
        response = await self._call("GET", "com.atproto.server.getSession")
        data = self._json(response, "com.atproto.server.getSession", write=False)
        handle = data.get("handle")
        if not isinstance(handle, str):
            raise errors.Unavailable("Bluesky: com.atproto.server.getSession gave no handle")
        return base.AccountInfo(handle=handle)

    async def create_post(self, request: base.PostRequest) -> base.PublishedPost:
        session = await self._ensure_session()
        rkey = self.rkey_for(request)
        record = await self.post_record(request)
        uri = f"at://{session.did}/{POST_COLLECTION}/{rkey}"
        gates = gate_writes(request, uri, rkey, record["createdAt"])
        if gates:
            # The post and its gates in one commit: never a post without them.
            nsid = "com.atproto.repo.applyWrites"
            post = {"$type": f"{nsid}#create", "collection": POST_COLLECTION, "rkey": rkey}
            body: dict[str, Any] = {
                "repo": session.did,
                "writes": [{**post, "value": record}, *gates],
            }
        else:
            nsid = "com.atproto.repo.createRecord"
            body = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey}
            body["record"] = record
        response = await self._call("POST", nsid, json=body, write=True)
        if response.is_success:
            data = self._json(response, nsid, write=True)
            if gates:
                results = data.get("results")
                data = results[0] if isinstance(results, list) and results else {}
                data = data if isinstance(data, dict) else {}
            got_uri, cid = data.get("uri"), data.get("cid")
            if not isinstance(got_uri, str) or not isinstance(cid, str):
                raise errors.Unclear(f"Bluesky: {nsid} answered without uri and cid", status=200)
            return self._published(got_uri, cid, rkey)
        if response.status_code >= 500:
            # A second create of an existing rkey fails with a bare 500 (a retry after an
            # unclear outcome): if the record is there with our text, the post went out.
            try:
                existing = await self._get_record(session, rkey)
            except errors.PlatformError:
                existing = None
            if existing is not None and existing[1].get("text") == request.text:
                return existing[0]
        raise self._error(response, nsid, write=True)

    async def image_limits(self) -> base.ImageLimits:
        return base.ImageLimits(FACTS[self.platform].media.max_bytes)

    async def upload_media(self, upload: base.MediaUpload) -> str:
        """`com.atproto.repo.uploadBlob`; the blob ref (JSON) a post's embed names. A blob
        no record names is dropped by the PDS after a while: an unclear upload leaves none."""
        nsid = "com.atproto.repo.uploadBlob"
        response = await self._call(
            "POST", nsid, content=upload.data, content_type=upload.mime, write=True
        )
        if not response.is_success:
            raise self._error(response, nsid, write=True)
        blob = self._json(response, nsid, write=True).get("blob")
        if not isinstance(blob, dict) or not isinstance(blob.get("ref"), dict):
            raise errors.Unclear(
                f"Bluesky: {nsid} answered without a blob", status=response.status_code
            )
        return jsonlib.dumps(blob, sort_keys=True)

    async def find_post(self, request: base.PostRequest) -> base.PublishedPost | None:
        """The post at this request's record key (getRecord), whatever its text, or None.

        The key is derived from the request's idempotency key, so a record there is this
        ledger row's post even if the text was edited since it was sent.
        """
        session = await self._ensure_session()
        found = await self._get_record(session, self.rkey_for(request))
        return None if found is None else found[0]

    async def delete_post(self, post: base.PublishedPost, *, root: bool = False) -> bool:
        """`com.atproto.repo.deleteRecord` of the post, and for a conversation's first post of
        its threadgate and postgate too (same record key; deleting a record that is not
        there succeeds on atproto). The post is read first (getRecord): one the PDS no longer
        has is not deleted again, and answers False."""
        session = await self._ensure_session()
        rkey = (post.uri or post.remote_id).rstrip("/").rsplit("/", 1)[-1]
        there = await self._get_record(session, rkey) is not None
        gates = GATE_COLLECTIONS if root else ()
        for collection in (*gates, POST_COLLECTION) if there else gates:
            nsid = "com.atproto.repo.deleteRecord"
            body = {"repo": session.did, "collection": collection, "rkey": rkey}
            # A repeated delete is harmless: no answer is Unavailable (retried), not Unclear.
            response = await self._call("POST", nsid, json=body, write=False)
            if not response.is_success:
                raise self._error(response, nsid, write=False)
        return there

    async def create_thread(self, requests: list[base.PostRequest]) -> list[base.PublishedPost]:
        """A whole thread in one commit (`com.atproto.repo.applyWrites`): all posts or none.

        Record keys are those `create_post` would use, and each record's CID is computed
        here (DAG-CBOR, sha2-256) to fill the next post's reply refs. After an unclear
        outcome, `find_post` of the first request tells whether the thread went out; a
        retry of a thread that is there returns its posts instead of writing it again.
        """
        if not requests:
            return []
        if len(requests) > MAX_WRITES:
            raise ValueError(f"applyWrites takes at most {MAX_WRITES} posts, not {len(requests)}")
        if requests[0].reply_to is not None or requests[0].root is not None:
            raise ValueError("create_thread writes a thread from its first post")
        session = await self._ensure_session()
        root_rkey = derive_rkey(requests[0].idempotency_key, 1, None)
        writes: list[dict[str, Any]] = []
        gates: list[dict[str, Any]] = []
        planned: list[tuple[str, str, str]] = []  # rkey, uri, cid
        root: base.PublishedPost | None = None
        parent: base.PublishedPost | None = None
        for position, request in enumerate(requests, start=1):
            rkey = derive_rkey(request.idempotency_key, position, root_rkey)
            placed = base.PostRequest(
                request.text,
                position,
                request.idempotency_key,
                reply_to=parent,
                root=root,
                options=request.options,
                media=request.media,
                card=request.card,
            )
            record = await self.post_record(placed, offset_ms=position - 1)
            uri = f"at://{session.did}/{POST_COLLECTION}/{rkey}"
            cid = record_cid(record)
            writes.append(
                {
                    "$type": "com.atproto.repo.applyWrites#create",
                    "collection": POST_COLLECTION,
                    "rkey": rkey,
                    "value": record,
                }
            )
            # Each post's results come first: its gates follow at the end of the commit.
            gates.extend(gate_writes(placed, uri, rkey, record["createdAt"]))
            planned.append((rkey, uri, cid))
            parent = base.PublishedPost(remote_id=uri, uri=uri, cid=cid)
            root = root or parent
        if len(writes) + len(gates) > MAX_WRITES:
            raise ValueError(f"applyWrites takes at most {MAX_WRITES} writes")
        nsid = "com.atproto.repo.applyWrites"
        body = {"repo": session.did, "writes": [*writes, *gates]}
        response = await self._call("POST", nsid, json=body, write=True)
        if response.is_success:
            results = self._json(response, nsid, write=True).get("results")
            published = []
            for index, (rkey, uri, cid) in enumerate(planned):
                result = (
                    results[index] if isinstance(results, list) and index < len(results) else {}
                )
                got = result.get("cid") if isinstance(result, dict) else None
                published.append(self._published(uri, got if isinstance(got, str) else cid, rkey))
            return published
        if response.status_code >= 500:
            try:
                first = await self._get_record(session, planned[0][0])
            except errors.PlatformError:
                first = None
            if first is not None and first[1].get("text") == requests[0].text:
                found = []
                for rkey, _, _ in planned:
                    existing = await self._get_record(session, rkey)
                    if existing is None:
                        break
                    found.append(existing[0])
                else:
                    return found
        raise self._error(response, nsid, write=True)

    # --- Records ----------------------------------------------------------------------------

    def rkey_for(self, request: base.PostRequest) -> str:
        """The record key of this post: the same on every attempt (see the module docstring)."""
        # A follow-up's posts take their place in the whole conversation, after the posts
        # of the editions it continues, so its keys never reuse their timestamps.
        position = request.offset + request.index
        root = request.root or (request.reply_to if position == 2 else None)
        root_rkey = rkey_of(root.uri) if root is not None else None
        return derive_rkey(request.idempotency_key, position, root_rkey)

    async def post_record(self, request: base.PostRequest, *, offset_ms: int = 0) -> dict[str, Any]:
        """The `app.bsky.feed.post` record of a post, mentions resolved to DIDs."""
        created = datetime.fromtimestamp(self._clock() + offset_ms / 1000, tz=UTC)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": request.text,
            "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{created.microsecond // 1000:03d}Z",
        }
        if request.options.language:
            record["langs"] = [request.options.language]
        found = facets(request.text)
        dids: dict[str, str] = {}
        for facet in found:
            if facet.kind == "mention" and facet.value not in dids:
                did = await self.resolve_handle(facet.value)
                if did:
                    dids[facet.value] = did
        record_facets = to_record_facets(found, dids)
        if record_facets:
            record["facets"] = record_facets
        if request.reply_to is not None:
            root = request.root or request.reply_to  # post 2 replies to the root itself
            record["reply"] = {"root": strong_ref(root), "parent": strong_ref(request.reply_to)}
        if request.media:
            record["embed"] = images_embed(request.media)
        elif request.card is not None:
            record["embed"] = await self._external_embed(request.card)
        return record

    async def _external_embed(self, card: LinkCard) -> dict[str, Any]:
        """`app.bsky.embed.external`: the link's card, its picture uploaded as a blob (once
        per client: a blob is named by its content, so a retry names the same one)."""
        external: dict[str, Any] = {
            "uri": card.uri,
            "title": card.title,
            "description": card.description,
        }
        if card.thumb and card.thumb_mime:
            key = hashlib.sha256(card.thumb).hexdigest()
            if key not in self._thumbs:
                self._thumbs[key] = await self.upload_media(
                    base.MediaUpload(card.thumb, card.thumb_mime, 0, 0, "")
                )
            external["thumb"] = jsonlib.loads(self._thumbs[key])
        return {"$type": "app.bsky.embed.external", "external": external}

    async def resolve_handle(self, handle: str) -> str | None:
        """The DID of a handle, or None when it does not resolve (cached)."""
        handle = handle.removeprefix("@").lower()
        if handle in self._dids:
            return self._dids[handle]
        session = self._session
        if session is not None and session.handle.lower() == handle:
            self._dids[handle] = session.did
            return session.did
        nsid = "com.atproto.identity.resolveHandle"
        response = await self._send("GET", nsid, params={"handle": handle}, write=False)
        did: str | None = None
        if response.is_success:
            value = self._json(response, nsid, write=False).get("did")
            did = value if isinstance(value, str) and value.startswith("did:") else None
        elif response.status_code != 400:  # 400: no such handle; leave the mention plain
            raise self._error(response, nsid, write=False)
        self._dids[handle] = did
        return did

    async def _get_record(
        self, session: _Session, rkey: str
    ) -> tuple[base.PublishedPost, Mapping[str, Any]] | None:
        nsid = "com.atproto.repo.getRecord"
        params = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey}
        response = await self._call("GET", nsid, params=params)
        if response.status_code == 400 and _xrpc_error(response)[0] == "RecordNotFound":
            return None
        if not response.is_success:
            raise self._error(response, nsid, write=False)
        data = self._json(response, nsid, write=False)
        uri, cid, value = data.get("uri"), data.get("cid"), data.get("value")
        if not isinstance(uri, str) or not isinstance(cid, str) or not isinstance(value, dict):
            raise errors.Unavailable(f"Bluesky: {nsid} answered without uri, cid and value")
        return self._published(uri, cid, rkey), value

    def _published(self, uri: str, cid: str, rkey: str) -> base.PublishedPost:
        session = self._session
        handle = session.handle if session is not None else (self._account.handle or "")
        url = f"https://bsky.app/profile/{handle}/post/{rkey}"
        return base.PublishedPost(remote_id=uri, url=url, uri=uri, cid=cid)

    # --- Sessions ---------------------------------------------------------------------------

    async def _ensure_session(self) -> _Session:
        async with self._lock:
            if self._session is None:
                stored = self._store.load()
                self._session = _Session.from_json(stored) if stored else None
            if self._session is None:
                self._session = await self._create_session()
            return self._session

    async def _create_session(self) -> _Session:
        nsid = "com.atproto.server.createSession"
        handle = (self._account.handle or "").removeprefix("@")
        if not handle:
            raise errors.Refused("Bluesky: the account has no handle to log in with")
        try:
            password = self._account.secret("app_password")
        except (ValueError, OSError) as error:  # ConfigError names the source, not the value
            raise errors.Refused(f"Bluesky: cannot read the app password: {error}") from None
        body = {"identifier": handle, "password": password}
        response = await self._send("POST", nsid, json=body, write=False)
        if not response.is_success:
            raise self._error(response, nsid, write=False)
        session = _Session.from_json(self._json(response, nsid, write=False))
        if session is None:
            raise errors.Unavailable(f"Bluesky: {nsid} answered without a session")
        self._store.save(session.to_json())
        return session

    async def _refresh(self, stale: _Session) -> _Session:
        """A fresh access token (refreshSession; a new login if the refresh token is refused)."""
        async with self._lock:
            if self._session is not None and self._session != stale:
                return self._session  # another task has refreshed it already
            nsid = "com.atproto.server.refreshSession"
            response = await self._send("POST", nsid, token=stale.refresh_jwt, write=False)
            session: _Session | None
            if response.is_success:
                data = dict(self._json(response, nsid, write=False))
                data.setdefault("did", stale.did)
                data.setdefault("handle", stale.handle)
                session = _Session.from_json(data)
                if session is None:
                    raise errors.Unavailable(f"Bluesky: {nsid} answered without tokens")
                self._store.save(session.to_json())
            elif response.status_code in (400, 401):
                self._session = None
                self._store.save(None)
                session = await self._create_session()
            else:
                raise self._error(response, nsid, write=False)
            self._session = session
            return session

    # --- HTTP -------------------------------------------------------------------------------

    async def _call(
        self, method: str, nsid: str, *, write: bool = False, **body: Unpack[_XrpcBody]
    ) -> httpx.Response:
        """An authenticated request, renewing an expired access token once."""
        session = await self._ensure_session()
        response = await self._send(method, nsid, token=session.access_jwt, write=write, **body)
        if not _auth_expired(response):
            return response
        session = await self._refresh(session)
        response = await self._send(method, nsid, token=session.access_jwt, write=write, **body)
        if _auth_expired(response):
            raise self._error(response, nsid, write=write, auth=True)
        return response

    async def _send(
        self,
        method: str,
        nsid: str,
        *,
        token: str | None = None,
        write: bool,
        **body: Unpack[_XrpcBody],
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content_type := body.get("content_type"):
            headers["Content-Type"] = content_type
        try:
            return await self._http.request(
                method,
                f"{self._base}/xrpc/{nsid}",
                params=body.get("params"),
                json=body.get("json"),
                content=body.get("content"),
                headers=headers,
                timeout=self._timeout,
            )
        except httpx.TransportError as error:
            # The error's type only: the PDS address is named, never the request.
            message = f"Bluesky {nsid} at {self._base}: {type(error).__name__}"
            raise errors.no_answer(error, message, "Bluesky", creates=write) from None

    def _json(self, response: httpx.Response, nsid: str, *, write: bool) -> Mapping[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise errors.without_answer(f"Bluesky {nsid}", response, "a JSON object", creates=write)
        return data

    def _error(
        self,
        response: httpx.Response,
        nsid: str,
        *,
        write: bool,
        auth: bool = False,
    ) -> errors.PlatformError:
        """The error for a failed response: the server's words (PlatformError redacts them:
        the app password was registered when read, the session's tokens when made)."""
        status = response.status_code
        error, message = _xrpc_error(response)
        reason = message or error or response.reason_phrase or None
        label = f"{status} {error}".strip()
        if status == 429:
            retry_after = self._retry_after(response)
            wait = f"; retry in {retry_after:.0f} s" if retry_after is not None else ""
            return errors.RateLimited(
                f"Bluesky: rate limited on {nsid} ({label}){wait}",
                status=status,
                reason=reason,
                retry_after=retry_after,
            )
        if 400 <= status < 500:
            what = "refused the credentials for" if auth else "refused"
            detail = f": {reason}" if reason else ""
            return errors.Refused(
                f"Bluesky {what} {nsid} ({label}){detail}", status=status, reason=reason
            )
        kind = errors.Unclear if write else errors.Unavailable
        detail = f": {reason}" if reason and reason != response.reason_phrase else ""
        return kind(f"Bluesky: {nsid} failed ({label}){detail}", status=status, reason=reason)

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Retry-After if given, else RateLimit-Reset (a Unix time on Bluesky's PDS)."""
        now = self._clock()
        wait = errors.retry_after(response.headers.get("Retry-After"), now)
        if wait is None:
            wait = errors.reset_after(response.headers.get("RateLimit-Reset"), now)
        return wait


if TYPE_CHECKING:

    def _is_platform_client(client: BlueskyClient) -> base.PlatformClient:
        return client  # mypy checks that BlueskyClient implements the protocol
