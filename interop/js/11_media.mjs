// Media with matrix-js-sdk: a uploads a PNG (`uploadContent`, POST /_matrix/media/v3/upload) and
// sets it as its avatar (`setAvatarUrl`); b, on the same server, and c, on the second, read a's
// profile (`getProfileInfo`; c's server asks a's over federation) and turn the avatar_url into
// authenticated media URLs with `mxcUrlToHttp(mxc, w, h, method, allowDirectLinks, allowRedirects,
// useAuthentication = true)`: the download and a 32x32 crop thumbnail, fetched with the access
// token as a Bearer header (as Element does through its service worker). The download is the bytes
// uploaded, the thumbnail a 32x32 PNG; without the header it is 401 M_MISSING_TOKEN; c gets the same
// bytes through its own server, over federation.
import { deflateSync, crc32 } from "node:zlib";
import { BASE_URL_2, check, expectOk, log, registerAndLogin, run } from "./common.mjs";

// An RGB PNG of a colour gradient.
function png(width, height) {
  const chunk = (kind, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) {
      rows.set([Math.floor((x * 255) / width), Math.floor((y * 255) / height), 128], row + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

// [width, height] from a PNG's IHDR, or null when not a PNG.
function pngSize(data) {
  if (data.length < 24 || data.readUInt32BE(0) !== 0x89504e47 || data.toString("latin1", 12, 16) !== "IHDR") return null;
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

// GET url with c's access token; returns [status, headers, body as a Buffer].
async function get(c, url, what, authenticated = true) {
  check(url, `${what}: mxcUrlToHttp gave no URL`);
  const headers = authenticated ? { Authorization: `Bearer ${c.getAccessToken()}` } : {};
  try {
    const res = await fetch(url, { headers, redirect: "follow" });
    return [res.status, res.headers, Buffer.from(await res.arrayBuffer())];
  } catch (e) {
    throw new Error(`${what}: GET ${url}: ${e.message}`);
  }
}

// Downloads the avatar and its 32x32 thumbnail as `reader` (on its own server); checks both.
async function readAvatar(reader, owner, image, who) {
  const profile = await expectOk(reader.getProfileInfo(owner.getUserId()), `${who} reads a's profile`);
  const mxc = profile.avatar_url;
  check(mxc?.startsWith("mxc://"), `${who}: a's profile has avatar_url ${mxc}`);

  const download = reader.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
  check(download?.includes("/_matrix/client/v1/media/download/"), `${who}: mxcUrlToHttp gave ${download}`);
  let [status, headers, body] = await get(reader, download, `${who} downloads the avatar`);
  check(status === 200, `${who}: GET ${download} -> HTTP ${status}: ${body.toString().slice(0, 200)}`);
  check(body.equals(image), `${who}: the avatar downloaded is ${body.length} bytes unlike the ${image.length} uploaded`);
  check(headers.get("content-type") === "image/png", `${who}: the avatar is served as ${headers.get("content-type")}`);

  [status, , body] = await get(reader, download, `${who} downloads without the token`, false);
  check(status === 401 && body.toString().includes("M_MISSING_TOKEN"),
    `${who}: a download without the access token -> HTTP ${status}: ${body.toString().slice(0, 200)}, expected 401 M_MISSING_TOKEN`);

  const thumbnail = reader.mxcUrlToHttp(mxc, 32, 32, "crop", false, true, true);
  check(thumbnail?.includes("/_matrix/client/v1/media/thumbnail/"), `${who}: mxcUrlToHttp gave ${thumbnail}`);
  [status, headers, body] = await get(reader, thumbnail, `${who} downloads a thumbnail`);
  check(status === 200, `${who}: GET ${thumbnail} -> HTTP ${status}: ${body.toString().slice(0, 200)}`);
  check(headers.get("content-type") === "image/png", `${who}: the thumbnail of a PNG is ${headers.get("content-type")}`);
  const size = pngSize(body);
  check(size?.[0] === 32 && size?.[1] === 32, `${who}: the 32x32 crop thumbnail is ${size ? size.join("x") : "not a PNG"}`);
  return mxc;
}

run(async () => {
  check(BASE_URL_2, "no second server: pass its client URL as the second argument (or MYELIN_URL_2)");
  const a = await registerAndLogin("js-media-a");
  const b = await registerAndLogin("js-media-b");
  const c = await registerAndLogin("js-media-c", { baseUrl: BASE_URL_2 });

  const image = png(64, 48);
  const uploaded = await expectOk(a.uploadContent(new Blob([image], { type: "image/png" }), { name: "avatar.png" }),
    "uploadContent of a PNG");
  const mxc = uploaded.content_uri;
  check(mxc?.startsWith(`mxc://${a.getDomain()}/`), `uploadContent answered ${JSON.stringify(uploaded)}`);
  await expectOk(a.setAvatarUrl(mxc), "setAvatarUrl");

  check(await readAvatar(b, a, image, "b") === mxc, "b read another avatar_url than a set");
  log(`b read a's avatar ${mxc} from the profile and downloaded it and a 32x32 thumbnail`);
  check(await readAvatar(c, a, image, "c, on the second server,") === mxc, "c read another avatar_url than a set");
  log("c, on the second server, downloaded the avatar and its thumbnail over federation, the same bytes");
});
