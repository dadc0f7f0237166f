package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.json;
import static org.myelin.server.media.MediaIT.randomBytes;
import static org.myelin.server.media.MediaIT.uploaded;
import static org.myelin.server.media.ThumbnailIT.encode;
import static org.myelin.server.media.ThumbnailIT.stripes;
import static org.myelin.server.media.ThumbnailIT.thumbnail;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.id.MxcUri;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.media.thumbnail.ImageProbe;
import org.myelin.server.media.thumbnail.ThumbnailSizing;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Synapse's admin API for media, on two servers over real TLS: quarantined media (this server's,
 * another's cached here, another's never fetched) is served to nobody, thumbnails and other
 * servers included, until the quarantine is lifted; a room's quarantine reaches every media its
 * events name; deleting local media removes its rows, thumbnails and file (a file another media
 * shares stays); a user's media is listed in pages and orders; only server admins may do any of it.
 */
class AdminMediaIT {

    static final String SECRET = "admin-media-secret";
    private static final String V1 = "/_synapse/admin/v1";

    static TestHomeserver a;
    static TestHomeserver b;
    static TestUser admin;
    static TestUser alice;
    static TestUser bob;
    static final FederatedMediaIT.MediaGate bGate = new FederatedMediaIT.MediaGate("/_matrix/federation/v1/media/*");

    @BeforeAll
    static void boot() {
        b = TestHomeserver.builder().routes(Resource.FEDERATION, bGate).start();
        a = TestHomeserver.builder().configure(c -> c.withRegistration(
                new HomeserverConfig.Registration(true, true, false, false, SECRET))).start();
        admin = registerAdmin(a, SECRET, "admin");
        alice = a.registerUser("alice");
        bob = b.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void onlyServerAdminsMayUseIt() {
        String media = uploaded(a, alice, "text/plain", "a.txt", "hi".getBytes(StandardCharsets.UTF_8));
        for (String[] call : List.of(
                new String[] {"POST", V1 + "/media/quarantine/" + media},
                new String[] {"POST", V1 + "/media/unquarantine/" + media},
                new String[] {"POST", V1 + "/room/" + TestHomeserver.enc("!r:" + a.serverName()) + "/media/quarantine"},
                new String[] {"DELETE", V1 + "/media/" + media},
                new String[] {"GET", V1 + "/users/" + TestHomeserver.enc(alice.userId()) + "/media"})) {
            HttpResponse<String> notAdmin = a.authed(alice.accessToken(), call[0], call[1], "POST".equals(call[0]) ? "{}" : null);
            assertEquals(403, notAdmin.statusCode(), call[1] + ": " + notAdmin.body());
            assertEquals("M_FORBIDDEN", TestHomeserver.json(notAdmin).path("errcode").asText());
            assertEquals(401, a.request(call[0], call[1], "POST".equals(call[0]) ? "{}" : null).statusCode(), call[1]);
        }
        assertEquals(200, download(a, alice, media).statusCode(), "nothing was done");
    }

    @Test
    void quarantinedLocalMediaIsServedToNobodyUntilLifted() {
        byte[] png = encode(stripes(200, 100, Color.RED, Color.BLUE), "png");
        String media = uploaded(a, alice, "image/png", "stripes.png", png);
        assertEquals(200, download(a, alice, media).statusCode());
        String other = uploaded(a, alice, "image/png", "other.png", encode(stripes(50, 50, Color.GREEN), "png"));

        admin(a, "POST", V1 + "/media/quarantine/" + media, 200);

        HttpResponse<byte[]> refused = download(a, alice, media);
        assertEquals(404, refused.statusCode());
        assertEquals("M_NOT_FOUND", errcode(refused));
        assertEquals(404, thumbnail(a, alice, media, "width=32&height=32&method=crop").statusCode());
        assertEquals(404, MediaIT.get(a, null, "/_matrix/media/v3/download/" + media, Map.of()).statusCode());
        TestUser carol = b.registerUser("carol");
        assertEquals(404, download(b, carol, media).statusCode(), "another server is refused it too");
        assertEquals(404, thumbnail(b, carol, media, "width=33&height=33&method=crop").statusCode(),
                "and its thumbnail");
        assertEquals(200, download(a, alice, other).statusCode(), "only what was named");
        JsonNode listed = admin(a, "GET", V1 + "/users/" + TestHomeserver.enc(alice.userId()) + "/media?limit=100", 200);
        assertEquals(admin.userId(), find(listed, media).path("quarantined_by").asText());

        admin(a, "POST", V1 + "/media/unquarantine/" + media, 200);
        HttpResponse<byte[]> back = download(a, alice, media);
        assertEquals(200, back.statusCode());
        assertArrayEquals(png, back.body());
        assertEquals(200, thumbnail(a, alice, media, "width=32&height=32&method=crop").statusCode());
    }

    @Test
    void remoteMediaIsQuarantinedWhetherOrNotItWasFetched() {
        byte[] bytes = randomBytes(20_000, 11);
        String cached = uploaded(b, bob, "application/pdf", "doc.pdf", bytes);
        assertEquals(200, download(a, alice, cached).statusCode());
        assertEquals(1, bGate.asked(cached));

        admin(a, "POST", V1 + "/media/quarantine/" + cached, 200);
        assertEquals(404, download(a, alice, cached).statusCode());
        assertEquals(1, bGate.asked(cached), "quarantined media is not fetched again");
        admin(a, "POST", V1 + "/media/unquarantine/" + cached, 200);
        HttpResponse<byte[]> back = download(a, alice, cached);
        assertEquals(200, back.statusCode());
        assertArrayEquals(bytes, back.body());
        assertEquals(1, bGate.asked(cached), "served from the cache it never left");

        String neverFetched = uploaded(b, bob, "image/png", "later.png", randomBytes(3_000, 12));
        admin(a, "POST", V1 + "/media/quarantine/" + neverFetched, 200);
        assertEquals(404, download(a, alice, neverFetched).statusCode());
        assertEquals(404, thumbnail(a, alice, neverFetched, "width=32&height=32").statusCode());
        assertEquals(0, bGate.asked(neverFetched), "a quarantine holds before the first fetch");
    }

    @Test
    void aRoomsQuarantineReachesEveryMediaItsEventsName() {
        String image = uploaded(a, alice, "image/png", "i.png", encode(stripes(40, 40, Color.RED), "png"));
        String thumb = uploaded(a, alice, "image/png", "t.png", encode(stripes(20, 20, Color.BLUE), "png"));
        String roomAvatar = uploaded(a, alice, "image/png", "room.png", encode(stripes(30, 30, Color.GREEN), "png"));
        String memberAvatar = uploaded(a, alice, "image/png", "me.png", encode(stripes(31, 31, Color.GRAY), "png"));
        String remoteFile = uploaded(b, bob, "text/plain", "remote.txt", "remote".getBytes(StandardCharsets.UTF_8));
        String untouched = uploaded(a, alice, "text/plain", "elsewhere.txt", "x".getBytes(StandardCharsets.UTF_8));
        String room = a.expect(200, alice, "POST", "/_matrix/client/v3/createRoom", "{}").path("room_id").asText();
        String rooms = "/_matrix/client/v3/rooms/" + TestHomeserver.enc(room);
        a.expect(200, alice, "PUT", rooms + "/send/m.room.message/1", "{\"msgtype\":\"m.image\",\"body\":\"i.png\","
                + "\"url\":\"mxc://" + image + "\",\"info\":{\"thumbnail_url\":\"mxc://" + thumb + "\"}}");
        a.expect(200, alice, "PUT", rooms + "/state/m.room.avatar/", "{\"url\":\"mxc://" + roomAvatar + "\"}");
        a.expect(200, alice, "PUT", rooms + "/state/m.room.member/" + TestHomeserver.enc(alice.userId()),
                "{\"membership\":\"join\",\"avatar_url\":\"mxc://" + memberAvatar + "\"}");
        a.expect(200, alice, "PUT", rooms + "/send/m.room.message/2", "{\"msgtype\":\"m.file\",\"body\":\"r\","
                + "\"url\":\"mxc://" + remoteFile + "\"}");
        a.expect(200, alice, "PUT", rooms + "/send/m.room.message/3", "{\"msgtype\":\"m.text\",\"body\":\"mxc://"
                + untouched + " is only text\",\"url\":\"https://example.org/not-media\"}");

        JsonNode answer = admin(a, "POST", V1 + "/room/" + TestHomeserver.enc(room) + "/media/quarantine", 200);
        assertEquals(5, answer.path("num_quarantined").asInt(), answer.toString());
        for (String media : List.of(image, thumb, roomAvatar, memberAvatar, remoteFile)) {
            assertEquals(404, download(a, alice, media).statusCode(), media);
        }
        assertEquals(200, download(a, alice, untouched).statusCode(), "named in a body's text only");
        assertEquals(0, bGate.asked(remoteFile), "the remote file was never fetched");

        assertEquals(5, admin(a, "POST", V1 + "/quarantine_media/" + TestHomeserver.enc(room), 200)
                .path("num_quarantined").asInt(), "the deprecated path does the same");
        HttpResponse<String> badRoom = a.authed(admin.accessToken(), "POST", V1 + "/room/not-a-room/media/quarantine", "{}");
        assertEquals(400, badRoom.statusCode());
    }

    @Test
    void deletingLocalMediaRemovesItsRowsThumbnailsAndFile() throws Exception {
        byte[] png = encode(stripes(400, 300, Color.RED, Color.GREEN, Color.BLUE), "png");
        String media = uploaded(a, alice, "image/png", "big.png", png);
        String twin = uploaded(a, alice, "image/png", "twin.png", png);
        HttpResponse<byte[]> thumb = thumbnail(a, alice, media, "width=90&height=70&method=scale");
        assertEquals(200, thumb.statusCode());
        Path thumbFile = blob(a, thumb.body());
        assertTrue(Files.exists(thumbFile));
        Path file = blob(a, png);
        // Thumbnails are made after each upload, apart from it: deleting waits until they are.
        int sizes = ThumbnailSizing.pregenerated(
                ImageProbe.probe(file).orElseThrow()).size();
        for (String uploadedMedia : List.of(media, twin)) {
            FederatedMediaIT.await("the thumbnails of " + uploadedMedia, () -> a.homeserver().media().thumbnailRows
                    .list(MxcUri.parse("mxc://" + uploadedMedia)).size() >= sizes);
        }

        JsonNode deleted = admin(a, "DELETE", V1 + "/media/" + media, 200);
        assertEquals(List.of(media.substring(media.indexOf('/') + 1)), list(deleted.path("deleted_media")));
        assertEquals(1, deleted.path("total").asInt());
        assertEquals(404, download(a, alice, media).statusCode());
        assertEquals(404, thumbnail(a, alice, media, "width=90&height=70&method=scale").statusCode());
        assertEquals(0, a.homeserver().media().thumbnailRows.list(MxcUri.parse("mxc://" + media))
                .size(), "its thumbnails' rows went with it");
        assertTrue(Files.exists(file), "its file stays while another media has the same content");
        assertTrue(Files.exists(thumbFile), "as does its thumbnail's, the same as the twin's thumbnail");
        assertArrayEquals(png, download(a, alice, twin).body());

        admin(a, "DELETE", V1 + "/media/" + twin, 200);
        assertFalse(Files.exists(file), "the last media of that content took its file");
        assertFalse(Files.exists(thumbFile), "and its thumbnails' files");
        assertEquals("M_NOT_FOUND", TestHomeserver.json(a.authed(admin.accessToken(), "DELETE", V1 + "/media/" + twin,
                null)).path("errcode").asText());
        HttpResponse<String> remote = a.authed(admin.accessToken(), "DELETE", V1 + "/media/" + b.serverName() + "/abc",
                null);
        assertEquals(400, remote.statusCode(), "only local media");

        String again = uploaded(a, alice, "image/png", "again.png", png);
        assertArrayEquals(png, download(a, alice, again).body(), "the same bytes uploaded afresh are stored afresh");
    }

    @Test
    void aUsersMediaIsListedInPages() {
        TestUser erin = a.registerUser("erin");
        List<String> ids = new ArrayList<>();
        for (int size : new int[] {300, 100, 200}) {
            String media = uploaded(a, erin, "application/octet-stream", "f" + size, randomBytes(size, size));
            ids.add(media.substring(media.indexOf('/') + 1));
        }
        String path = V1 + "/users/" + TestHomeserver.enc(erin.userId()) + "/media";

        JsonNode newest = admin(a, "GET", path, 200);
        assertEquals(3, newest.path("total").asInt());
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), mediaIds(newest), "newest first by default");
        assertFalse(newest.has("next_token"));
        JsonNode first = newest.path("media").get(0);
        assertEquals(200, first.path("media_length").asInt());
        assertEquals("application/octet-stream", first.path("media_type").asText());
        assertEquals("f200", first.path("upload_name").asText());
        assertTrue(first.path("created_ts").asLong() > 0);
        assertTrue(first.has("last_access_ts") && first.has("quarantined_by"), "nulls are there, as Synapse's");
        assertFalse(first.path("safe_from_quarantine").asBoolean());

        JsonNode page = admin(a, "GET", path + "?order_by=media_length&dir=f&limit=2", 200);
        assertEquals(List.of(ids.get(1), ids.get(2)), mediaIds(page));
        assertEquals(2, page.path("next_token").asInt());
        JsonNode rest = admin(a, "GET", path + "?order_by=media_length&dir=f&limit=2&from=2", 200);
        assertEquals(List.of(ids.get(0)), mediaIds(rest));
        assertFalse(rest.has("next_token"));
        assertEquals(List.of(ids.get(0), ids.get(2), ids.get(1)),
                mediaIds(admin(a, "GET", path + "?order_by=media_length&dir=b", 200)));

        for (String bad : List.of("?order_by=size", "?dir=x", "?from=-1", "?limit=-5", "?limit=ten")) {
            HttpResponse<String> r = a.authed(admin.accessToken(), "GET", path + bad, null);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("M_INVALID_PARAM", TestHomeserver.json(r).path("errcode").asText(), bad);
        }
        assertEquals(400, a.authed(admin.accessToken(), "GET", V1 + "/users/" + TestHomeserver.enc(bob.userId())
                + "/media", null).statusCode(), "only local users");
        assertEquals(404, a.authed(admin.accessToken(), "GET", V1 + "/users/" + TestHomeserver.enc("@nobody:"
                + a.serverName()) + "/media", null).statusCode());
    }

    // ---- helpers ----

    /** An admin of {@code hs}, registered with its shared secret (Synapse's admin registration). */
    static TestUser registerAdmin(TestHomeserver hs, String secret, String name) {
        String nonce = TestHomeserver.json(hs.get("/_synapse/admin/v1/register")).path("nonce").asText();
        String password = "pw-" + name;
        JsonNode r = TestHomeserver.json(hs.request("POST", "/_synapse/admin/v1/register", "{\"nonce\":\"" + nonce
                + "\",\"username\":\"" + name + "\",\"password\":\"" + password + "\",\"admin\":true,\"mac\":\""
                + mac(secret, nonce, name, password) + "\"}"));
        return new TestUser(r.path("user_id").asText(), r.path("device_id").asText(), r.path("access_token").asText(),
                password);
    }

    private static String mac(String secret, String nonce, String user, String password) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(hmac.doFinal((nonce + "\0" + user + "\0" + password + "\0admin")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode admin(TestHomeserver hs, String method, String path, int status) {
        HttpResponse<String> r = hs.authed(admin.accessToken(), method, path, "POST".equals(method) ? "{}" : null);
        assertEquals(status, r.statusCode(), method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    private static JsonNode find(JsonNode listed, String media) {
        String mediaId = media.substring(media.indexOf('/') + 1);
        for (JsonNode m : listed.path("media")) {
            if (m.path("media_id").asText().equals(mediaId)) {
                return m;
            }
        }
        throw new AssertionError(mediaId + " not listed: " + listed);
    }

    private static List<String> mediaIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("media").forEach(m -> ids.add(m.path("media_id").asText()));
        return ids;
    }

    private static List<String> list(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Where the media store of {@code hs} keeps {@code bytes}. */
    static Path blob(TestHomeserver hs, byte[] bytes) throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        return hs.dataDir().resolve("media/sha256").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4))
                .resolve(hash);
    }
}
