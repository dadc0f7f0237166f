"""Media with matrix-nio: a uploads a PNG (nio's `upload`, through /_matrix/media/r0/upload) and
sets it as its avatar (`set_avatar`); b reads the avatar_url from a's profile and downloads it and
a 32x32 cropped thumbnail through the authenticated endpoints (/_matrix/client/v1/media/...), which
nio 0.20 does not call: its legacy r0 download answers 404 for new media, so the downloads here go
through aiohttp (nio's own HTTP library) with the access token as a Bearer header. Then: a media id
made by /create gets its content by PUT, and a download waiting on the id meanwhile gets it; an
HTML upload is served as an attachment, sandboxed and nosniff; c, on the second server, reads a's
avatar_url through its own server and downloads the avatar over federation, the same bytes; and an upload of 50 MB, past the suite's 10 MB
media.max_upload_size, is refused with 413 M_TOO_LARGE, streamed without a length and with one,
after which the server still takes uploads."""
import asyncio
import json
import re
import struct
import time
import zlib

import aiohttp
from nio import ProfileGetAvatarResponse, ProfileSetAvatarResponse, UploadError, UploadResponse

from common import BASE_URL, WAIT, ScenarioFailed, check, expect, log, register_and_login, run, second_server

LIMIT = 10 * 1024 * 1024  # media.max_upload_size that interop/run gives both servers
TOO_LARGE = 50 * 1024 * 1024


def png(width, height):
    """An RGB PNG of a colour gradient, written by hand (PIL may not be installed)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_size(data):
    """(width, height) from a PNG's IHDR, or None when data is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def mxc_parts(mxc):
    check(mxc.startswith("mxc://") and mxc.count("/") == 3, f"not an mxc:// URI: {mxc}")
    return mxc[len("mxc://"):].split("/", 1)


class Http:
    """The authenticated media endpoints, which nio 0.20 does not call, through aiohttp."""

    def __init__(self, session, base_url, nio_client=None):
        self.session = session
        self.base_url = base_url
        self.token = nio_client.access_token if nio_client else None

    async def request(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with self.session.request(method, self.base_url + path, headers=headers, **kwargs) as resp:
            return resp.status, resp.headers, await resp.read()

    async def json(self, method, path, status, what, **kwargs):
        got, _, body = await self.request(method, path, **kwargs)
        check(got == status, f"{what}: {method} {path} -> HTTP {got}, expected {status}: {body[:300]!r}")
        return json.loads(body)

    async def download(self, mxc, what, **params):
        server, media_id = mxc_parts(mxc)
        status, headers, body = await self.request("GET", f"/_matrix/client/v1/media/download/{server}/{media_id}",
                                                   params=params)
        check(status == 200, f"{what}: download of {mxc} -> HTTP {status}: {body[:300]!r}")
        return headers, body

    async def thumbnail(self, mxc, width, height, method, what):
        server, media_id = mxc_parts(mxc)
        status, headers, body = await self.request(
            "GET", f"/_matrix/client/v1/media/thumbnail/{server}/{media_id}",
            params={"width": str(width), "height": str(height), "method": method})
        check(status == 200, f"{what}: thumbnail of {mxc} -> HTTP {status}: {body[:300]!r}")
        return headers, body


async def avatar(a, b, http_b, http_anon):
    image = png(64, 48)
    upload, _ = await a.upload(lambda *_: image, "image/png", "avatar.png", filesize=len(image))
    mxc = (await expect(upload, UploadResponse, "upload of a PNG")).content_uri
    await expect(await a.set_avatar(mxc), ProfileSetAvatarResponse, "set_avatar")

    profile = await expect(await b.get_avatar(a.user_id), ProfileGetAvatarResponse, "b reads a's avatar_url")
    check(profile.avatar_url == mxc, f"a's avatar_url is {profile.avatar_url}, a set {mxc}")

    headers, body = await http_b.download(mxc, "b downloads a's avatar")
    check(body == image, f"the avatar downloaded is {len(body)} bytes unlike the {len(image)} uploaded")
    check(headers.get("Content-Type") == "image/png", f"the avatar is served as {headers.get('Content-Type')}")
    check(headers.get("Content-Disposition", "").startswith("inline"),
          f"a PNG is served with Content-Disposition {headers.get('Content-Disposition')}, not inline")

    server, media_id = mxc_parts(mxc)
    status, _, body = await http_anon.request("GET", f"/_matrix/client/v1/media/download/{server}/{media_id}")
    check(status == 401 and b"M_MISSING_TOKEN" in body,
          f"a download without an access token -> HTTP {status}: {body[:200]!r}, expected 401 M_MISSING_TOKEN")

    headers, thumb = await http_b.thumbnail(mxc, 32, 32, "crop", "b's thumbnail of a's avatar")
    check(headers.get("Content-Type") == "image/png", f"the thumbnail of a PNG is {headers.get('Content-Type')}")
    check(png_size(thumb) == (32, 32), f"the 32x32 crop thumbnail is {png_size(thumb) or 'not a PNG'}")
    log(f"avatar {mxc}: b read it from a's profile, downloaded it ({len(image)} bytes) and a 32x32 thumbnail")
    return mxc, image


async def create_then_put(a, b, http_a, http_b):
    created = await http_a.json("POST", "/_matrix/media/v1/create", 200, "a makes a media id")
    mxc = created.get("content_uri", "")
    check(isinstance(created.get("unused_expires_at"), int), f"/create gave no unused_expires_at: {created}")
    server, media_id = mxc_parts(mxc)

    status, _, body = await http_b.request("GET", f"/_matrix/client/v1/media/download/{server}/{media_id}",
                                           params={"timeout_ms": "0"})
    check(status == 504 and b"M_NOT_YET_UPLOADED" in body,
          f"a download of a media id without content -> HTTP {status}: {body[:200]!r}, expected 504 M_NOT_YET_UPLOADED")
    status, _, body = await http_b.request("PUT", f"/_matrix/media/v3/upload/{server}/{media_id}", data=b"b's",
                                           headers={"Content-Type": "text/plain"})
    check(status == 403 and b"M_FORBIDDEN" in body,
          f"b's PUT to a's media id -> HTTP {status}: {body[:200]!r}, expected 403 M_FORBIDDEN")

    content = b"content sent after its media id, " * 100
    # b waits on the download while a puts the content: the waiting download gets it.
    waiting = asyncio.create_task(http_b.download(mxc, "b's download waiting for the content", timeout_ms="20000"))
    await asyncio.sleep(0.5)
    put = await http_a.json("PUT", f"/_matrix/media/v3/upload/{server}/{media_id}?filename=later.txt", 200,
                            "a puts the content of its media id", data=content, headers={"Content-Type": "text/plain"})
    check(put == {}, f"PUT upload answered {put}, expected {{}}")
    headers, body = await waiting
    check(body == content, f"the waiting download got {len(body)} bytes, not the {len(content)} put")
    check(headers.get("Content-Type", "").startswith("text/plain"), f"served as {headers.get('Content-Type')}")

    status, _, body = await http_a.request("PUT", f"/_matrix/media/v3/upload/{server}/{media_id}", data=b"again",
                                           headers={"Content-Type": "text/plain"})
    check(status == 409 and b"M_CANNOT_OVERWRITE_MEDIA" in body,
          f"a second PUT to the media id -> HTTP {status}: {body[:200]!r}, expected 409 M_CANNOT_OVERWRITE_MEDIA")
    log(f"create then PUT: {mxc}; a download waiting on it got the content; a second PUT is refused")


async def html(a, http_b):
    page = b"<html><body><script>alert(document.cookie)</script></body></html>"
    upload, _ = await a.upload(lambda *_: page, "text/html", "page.html", filesize=len(page))
    mxc = (await expect(upload, UploadResponse, "upload of an HTML page")).content_uri
    headers, body = await http_b.download(mxc, "download of the HTML page")
    check(body == page, "the HTML page came back changed")
    disposition = headers.get("Content-Disposition", "")
    check(disposition.startswith("attachment") and "page.html" in disposition,
          f"HTML served with Content-Disposition {disposition!r}, expected an attachment named page.html")
    csp = headers.get("Content-Security-Policy", "")
    check("sandbox" in csp and "default-src 'none'" in csp and "script-src 'none'" in csp,
          f"HTML served with Content-Security-Policy {csp!r}, expected sandbox, default-src and script-src 'none'")
    check(headers.get("X-Content-Type-Options") == "nosniff",
          f"HTML served with X-Content-Type-Options {headers.get('X-Content-Type-Options')!r}")
    log(f"HTML page served as {disposition}; CSP {csp}")


async def retried(attempt, what):
    """attempt() until it does not fail with a 5xx from the second server, for up to WAIT seconds: the
    first federation request of a freshly started server may find the other's TLS listener slow to
    answer on a loaded machine (502), which a client shows as a broken image and asks again later."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            return await attempt()
        except ScenarioFailed as e:
            if not re.search(r"HTTP 5\d\d", str(e)) or time.monotonic() > deadline:
                raise
            log(f"{what}: {e}; asking again")
            await asyncio.sleep(2)


async def federated(a, c, mxc, image, http_c):
    async def profile():
        return await expect(await c.get_avatar(a.user_id), ProfileGetAvatarResponse,
                            "c, on the second server, reads a's avatar_url (HTTP 5xx if its server could not ask)")
    avatar_url = (await retried(profile, "c reads a's profile over federation")).avatar_url
    check(avatar_url == mxc, f"c read a's avatar_url as {avatar_url}, a set {mxc}")
    headers, body = await retried(lambda: http_c.download(mxc, "c, on the second server, downloads a's avatar over federation"),
                                  "c downloads a's avatar over federation")
    check(body == image, f"over federation: {len(body)} bytes unlike the {len(image)} uploaded")
    check(headers.get("Content-Type") == "image/png", f"over federation served as {headers.get('Content-Type')}")
    headers, thumb = await http_c.thumbnail(mxc, 32, 32, "crop", "c's thumbnail over federation")
    check(png_size(thumb) == (32, 32), f"the 32x32 thumbnail over federation is {png_size(thumb) or 'not a PNG'}")
    log("c read a's avatar_url through its server and downloaded the avatar and its thumbnail over federation,"
        " the same bytes")


def zeros(total, chunk=1024 * 1024):
    """A generator of `total` bytes, for nio to stream without holding them."""
    def provide(*_):
        def chunks():
            left = total
            while left > 0:
                n = min(chunk, left)
                left -= n
                yield bytes(n)
        return chunks()
    return provide


async def too_large(a, http_a):
    config = await http_a.json("GET", "/_matrix/client/v1/media/config", 200, "media config")
    check(config.get("m.upload.size") == LIMIT,
          f"m.upload.size is {config.get('m.upload.size')}: interop/run should have set {LIMIT}")
    # Without a length (chunked): the server reads up to the limit, then refuses.
    for filesize, how in ((None, "streamed without a length"), (TOO_LARGE, "with its length declared")):
        upload, _ = await a.upload(zeros(TOO_LARGE), "application/octet-stream", "big.bin", filesize=filesize)
        check(isinstance(upload, UploadError) and upload.status_code == "M_TOO_LARGE"
              and upload.transport_response.status == 413,
              f"a 50 MB upload {how}: expected 413 M_TOO_LARGE, got {upload}")
    just = bytes(LIMIT)
    upload, _ = await a.upload(lambda *_: just, "application/octet-stream", "limit.bin", filesize=len(just))
    mxc = (await expect(upload, UploadResponse, "an upload of exactly media.max_upload_size after the refusals")).content_uri
    _, body = await http_a.download(mxc, "download of the upload at the limit")
    check(body == just, f"the upload at the limit came back as {len(body)} bytes")
    log("50 MB refused with 413 M_TOO_LARGE (chunked and with Content-Length); 10 MB still taken and served")


async def scenario():
    a = await register_and_login("nio-media-a")
    b = await register_and_login("nio-media-b")
    c = await register_and_login("nio-media-c", second_server())
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        http_a, http_b = Http(session, BASE_URL, a), Http(session, BASE_URL, b)
        http_c = Http(session, second_server(), c)
        mxc, image = await avatar(a, b, http_b, Http(session, BASE_URL))
        await create_then_put(a, b, http_a, http_b)
        await html(a, http_b)
        await federated(a, c, mxc, image, http_c)
        await too_large(a, http_a)


run(scenario)
