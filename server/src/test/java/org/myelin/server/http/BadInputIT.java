package org.myelin.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.BadJson;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestIdentityServer;
import org.myelin.server.testing.TestUser;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * Every client {@code POST} and {@code PUT} endpoint, as the router of the client listener holds
 * them, driven with bodies of the wrong type, strings holding NUL or unpaired surrogates, floats,
 * deep nesting and oversize strings, in every place of a well-formed body: none may answer 5xx,
 * and afterwards every user can still read the room ({@code /sync}, {@code /messages},
 * {@code /context}) and everything else they stored.
 */
class BadInputIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String SECRET = "bad-input-secret";
    /** The token of an application service without a URL: its endpoints read their bodies, nothing is pushed. */
    private static final String AS_TOKEN = "bad-input-as-token";
    private static final AtomicLong COUNTER = new AtomicLong();

    private static TestHomeserver hs;
    private static TestIdentityServer identityServer;
    private static Router clientRouter;
    private static TestUser alice;
    private static TestUser bob;
    private static TestUser victim;
    private static TestUser leaver;
    private static TestUser creator;
    private static String adminToken;
    private static String roomId;
    private static String messageId;
    private static final Map<String, String> sinceTokens = new LinkedHashMap<>();

    /** One request to make: where, with which access token (null for none), from which well-formed body. */
    private record Call(String path, String token, ObjectNode base) {
    }

    /**
     * How to make each request to one route: a fresh call each time (a new transaction id, user or
     * alias where one is used up), after {@code before} (putting a membership back where the last
     * request changed it).
     */
    private record Target(Supplier<Call> call, Runnable before) {
        Target(Supplier<Call> call) {
            this(call, () -> { });
        }

        static Target of(String path, Supplier<String> token, Supplier<ObjectNode> base) {
            return new Target(() -> new Call(path, token.get(), base.get()));
        }

        Target before(Runnable first) {
            return new Target(call, first);
        }
    }

    @BeforeAll
    static void boot() {
        identityServer = TestIdentityServer.start();
        java.nio.file.Path registration;
        try {
            registration = org.myelin.server.testing.FakeAppService.writeRegistration(
                    java.nio.file.Files.createTempDirectory("myelin-bad-input-as"), "bridge", null, AS_TOKEN, "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        hs = TestHomeserver.builder()
                .configure(c -> c.withRegistration(new HomeserverConfig.Registration(true, true, false, false, SECRET))
                        .withAppServiceConfigFiles(List.of(registration)))
                .routes(Resource.CLIENT, (router, handlers) -> clientRouter = router)
                .start();
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        victim = hs.registerUser("victim");
        leaver = hs.registerUser("leaver");
        creator = hs.registerUser("creator");
        adminToken = adminRegister("admin", "adminpw", true).path("access_token").asText();
        roomId = hs.expect(200, alice, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}").path("room_id").asText();
        hs.expect(200, bob, "POST", room() + "/join", "{}");
        messageId = hs.expect(200, alice, "PUT", room() + "/send/m.room.message/first",
                "{\"msgtype\":\"m.text\",\"body\":\"hello\"}").path("event_id").asText();
        hs.expect(200, alice, "PUT", V3 + "/pushrules/global/override/bad.rule",
                "{\"actions\":[\"notify\"],\"conditions\":[]}");
        for (TestUser u : List.of(alice, bob, victim, leaver, creator)) {
            sinceTokens.put(u.userId(), hs.expect(200, u, "GET", V3 + "/sync?timeout=0", null)
                    .path("next_batch").asText());
        }
    }

    @AfterAll
    static void stop() {
        identityServer.close();
        hs.close();
    }

    @Test
    void everyClientPostAndPutSurvivesBadInputAndTheRoomStaysReadable() {
        Map<String, List<Target>> targets = targets();
        List<String> routes = postAndPutRoutes();
        List<String> uncovered = routes.stream().filter(r -> !targets.containsKey(r)).toList();
        assertTrue(uncovered.isEmpty(), "routes without a base body in this test: " + uncovered);

        List<String> failures = new ArrayList<>();
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String template = route.substring(route.indexOf(' ') + 1);
            for (Target target : targets.get(route)) {
                for (BadJson.Mutation mutation : BadJson.mutations(target.call().get().base())) {
                    target.before().run();
                    Call call = target.call().get();
                    BadJson.Body body = mutation.of(call.base());
                    HttpResponse<String> r = send(method, call.path(), call.token(), body.bytes());
                    if (r.statusCode() >= 500) {
                        failures.add(method + " " + call.path() + " with " + body.description() + ": "
                                + r.statusCode() + " " + abbreviate(r.body()));
                    }
                }
                for (String path : spoiledParameters(template, target.call().get().path())) {
                    target.before().run();
                    Call call = target.call().get();
                    HttpResponse<String> r = send(method, path, call.token(),
                            call.base().toString().getBytes(StandardCharsets.UTF_8));
                    if (r.statusCode() >= 500) {
                        failures.add(method + " " + path + ": " + r.statusCode() + " " + abbreviate(r.body()));
                    }
                }
            }
            failures.addAll(readable("after " + route, route.endsWith("/createRoom")));
        }
        failures.addAll(readable("at the end", true));
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
    }

    /**
     * {@code path} (a path of {@code template}) with each of its path parameters in turn holding
     * U+0000, an unpaired surrogate's UTF-8 bytes, 1 kB or 3 kB (past what an index entry holds);
     * and with a query parameter holding U+0000.
     */
    private static List<String> spoiledParameters(String template, String path) {
        String[] names = template.split("/", -1);
        String[] values = path.split("/", -1);
        List<String> spoiled = new ArrayList<>();
        for (int i = 0; i < names.length && i < values.length; i++) {
            if (names[i].startsWith(":")) {
                for (String bad : List.of("a%00b", "%ED%A0%80", BadJson.noise(1_000), BadJson.noise(3_000))) {
                    String[] copy = values.clone();
                    copy[i] = bad;
                    spoiled.add(String.join("/", copy));
                }
            }
        }
        spoiled.add(path + "?org.example=%00");
        return spoiled;
    }

    /** Every POST and PUT route of the client listener, as {@code METHOD path}. */
    private static List<String> postAndPutRoutes() {
        TreeSet<String> routes = new TreeSet<>();
        for (Route route : clientRouter.getRoutes()) {
            if (route.getPath() == null || route.methods() == null) {
                continue;
            }
            for (HttpMethod m : route.methods()) {
                if (m == HttpMethod.POST || m == HttpMethod.PUT) {
                    routes.add(m.name() + " " + route.getPath());
                }
            }
        }
        assertTrue(routes.size() > 30, "the router's routes: " + routes);
        return List.copyOf(routes);
    }

    private static Map<String, List<Target>> targets() {
        Map<String, List<Target>> t = new LinkedHashMap<>();
        Supplier<String> asAlice = alice::accessToken;
        Supplier<String> anonymous = () -> null;
        String user = V3 + "/user/" + enc(alice.userId());
        // Accounts: each request from a user of its own, as logging out or deactivating is the point.
        t.put("POST " + V3 + "/account/deactivate", List.of(fresh(V3 + "/account/deactivate",
                u -> "{\"erase\":false,\"auth\":" + passwordAuth(u) + "}")));
        t.put("POST " + V3 + "/account/password", List.of(fresh(V3 + "/account/password",
                u -> "{\"new_password\":\"np\",\"logout_devices\":false,\"auth\":" + passwordAuth(u) + "}")));
        t.put("POST " + V3 + "/delete_devices", List.of(fresh(V3 + "/delete_devices",
                u -> "{\"devices\":[\"" + u.deviceId() + "\"],\"auth\":" + passwordAuth(u) + "}")));
        t.put("POST " + V3 + "/logout", List.of(fresh(V3 + "/logout", u -> "{}")));
        t.put("POST " + V3 + "/logout/all", List.of(fresh(V3 + "/logout/all", u -> "{}")));
        t.put("POST " + V3 + "/login", List.of(Target.of(V3 + "/login", anonymous,
                () -> obj("{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"alice\"},"
                        + "\"password\":\"" + alice.password() + "\",\"initial_device_display_name\":\"phone\"}"))));
        t.put("POST " + V3 + "/refresh", List.of(Target.of(V3 + "/refresh", anonymous,
                () -> obj("{\"refresh_token\":\"not-a-token\"}"))));
        t.put("POST " + V3 + "/register", List.of(Target.of(V3 + "/register", anonymous,
                () -> obj("{\"username\":\"reg" + COUNTER.incrementAndGet() + "\",\"password\":\"pw\",\"auth\":"
                        + "{\"type\":\"m.login.dummy\"},\"initial_device_display_name\":\"laptop\","
                        + "\"refresh_token\":false,\"inhibit_login\":false}"))));
        t.put("POST /_synapse/admin/v1/register", List.of(Target.of("/_synapse/admin/v1/register", anonymous, () -> {
            String name = "shared" + COUNTER.incrementAndGet();
            String nonce = TestHomeserver.json(hs.get("/_synapse/admin/v1/register")).path("nonce").asText();
            return obj("{\"nonce\":\"" + nonce + "\",\"username\":\"" + name + "\",\"password\":\"pw\",\"admin\":false,"
                    + "\"displayname\":\"Shared\",\"mac\":\"" + mac(nonce, name, "pw", false) + "\"}");
        })));
        t.put("POST /_synapse/admin/v1/registration_tokens/new", List.of(Target.of(
                "/_synapse/admin/v1/registration_tokens/new", () -> adminToken,
                () -> obj("{\"token\":\"tok" + COUNTER.incrementAndGet() + "\",\"uses_allowed\":1,\"expiry_time\":"
                        + (System.currentTimeMillis() + 86_400_000L) + "}"))));
        adminTargets(t);
        t.put("PUT " + V3 + "/devices/:deviceId", List.of(Target.of(V3 + "/devices/" + enc(alice.deviceId()), asAlice,
                () -> obj("{\"display_name\":\"phone\"}"))));

        // Rooms.
        t.put("POST " + V3 + "/createRoom", List.of(Target.of(V3 + "/createRoom", creator::accessToken,
                () -> obj("{\"name\":\"n\",\"topic\":\"t\",\"preset\":\"public_chat\",\"visibility\":\"private\","
                        + "\"room_alias_name\":\"alias" + COUNTER.incrementAndGet() + "\",\"invite\":[\""
                        + bob.userId() + "\"],\"initial_state\":[{\"type\":\"m.room.guest_access\",\"state_key\":\"\","
                        + "\"content\":{\"guest_access\":\"can_join\"}}],\"creation_content\":{\"m.federate\":true},"
                        + "\"power_level_content_override\":{\"users_default\":0},\"is_direct\":false,"
                        + "\"room_version\":\"10\"}"))));
        // An upgrade ends a room: each one is of a room of its own, not of the room the test reads.
        t.put("POST " + V3 + "/rooms/:roomId/upgrade", List.of(new Target(() -> {
            String upgraded = hs.expect(200, creator, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                    .path("room_id").asText();
            return new Call(V3 + "/rooms/" + enc(upgraded) + "/upgrade", creator.accessToken(),
                    obj("{\"new_version\":\"11\"}"));
        })));
        Supplier<ObjectNode> reason = () -> obj("{\"reason\":\"because\"}");
        t.put("POST " + V3 + "/join/:roomIdOrAlias", List.of(Target.of(V3 + "/join/" + enc(roomId), asAlice, reason)));
        t.put("POST " + V3 + "/rooms/:roomId/join", List.of(Target.of(room() + "/join", asAlice, reason)));
        t.put("POST " + V3 + "/knock/:roomIdOrAlias", List.of(Target.of(V3 + "/knock/" + enc(roomId), asAlice, reason)));
        t.put("POST " + V3 + "/rooms/:roomId/leave", List.of(Target.of(room() + "/leave", leaver::accessToken, reason)
                .before(() -> hs.authed(leaver.accessToken(), "POST", room() + "/join", "{}"))));
        t.put("POST " + V3 + "/rooms/:roomId/forget", List.of(Target.of(room() + "/forget", leaver::accessToken, reason)
                .before(() -> hs.authed(leaver.accessToken(), "POST", room() + "/leave", "{}"))));
        String targetVictim = "{\"user_id\":\"" + victim.userId() + "\",\"reason\":\"because\"}";
        Supplier<ObjectNode> onVictim = () -> obj(targetVictim);
        // Third-party invites ask a real identity server (on loopback) what the body names.
        Supplier<ObjectNode> byEmail = () -> obj("{\"id_server\":\"" + identityServer.name() + "\",\"id_access_token\":\""
                + TestIdentityServer.ACCESS_TOKEN + "\",\"medium\":\"email\",\"address\":\"guest@example.org\"}");
        t.put("POST " + V3 + "/rooms/:roomId/invite", List.of(Target.of(room() + "/invite", asAlice, onVictim)
                .before(() -> hs.authed(alice.accessToken(), "POST", room() + "/unban", targetVictim)),
                Target.of(room() + "/invite", asAlice, byEmail)));
        t.put("POST " + V3 + "/rooms/:roomId/kick", List.of(Target.of(room() + "/kick", asAlice, onVictim)
                .before(() -> hs.authed(alice.accessToken(), "POST", room() + "/invite", targetVictim))));
        t.put("POST " + V3 + "/rooms/:roomId/ban", List.of(Target.of(room() + "/ban", asAlice, onVictim)
                .before(() -> hs.authed(alice.accessToken(), "POST", room() + "/unban", targetVictim))));
        t.put("POST " + V3 + "/rooms/:roomId/unban", List.of(Target.of(room() + "/unban", asAlice, onVictim)
                .before(() -> hs.authed(alice.accessToken(), "POST", room() + "/ban", targetVictim))));
        t.put("PUT " + V3 + "/rooms/:roomId/send/:eventType/:txnId", List.of(
                withTxn(room() + "/send/m.room.message/", () -> obj("{\"msgtype\":\"m.text\",\"body\":\"hi\"}")),
                withTxn(room() + "/send/org.example.custom/", () -> obj("{\"a\":{\"b\":[1,\"c\"]}}"))));
        t.put("PUT " + V3 + "/rooms/:roomId/redact/:eventId/:txnId", List.of(withTxn(room() + "/redact/"
                + enc(messageId) + "/", reason)));
        Supplier<ObjectNode> topic = () -> obj("{\"topic\":\"a topic\"}");
        t.put("PUT " + V3 + "/rooms/:roomId/state/:eventType", List.of(Target.of(room() + "/state/m.room.topic",
                asAlice, topic)));
        t.put("PUT " + V3 + "/rooms/:roomId/state/:eventType/", List.of(Target.of(room() + "/state/m.room.topic/",
                asAlice, topic)));
        t.put("PUT " + V3 + "/rooms/:roomId/state/:eventType/:stateKey", List.of(
                Target.of(room() + "/state/org.example.state/key", asAlice, () -> obj("{\"a\":[\"b\",{\"c\":1}]}")),
                Target.of(room() + "/state/m.room.member/" + enc(alice.userId()), asAlice,
                        () -> obj("{\"membership\":\"join\",\"displayname\":\"Alice\",\"avatar_url\":\"mxc://x/y\"}")),
                Target.of(room() + "/state/m.room.name/", asAlice, () -> obj("{\"name\":\"A room\"}"))));
        t.put("PUT " + V3 + "/rooms/:roomId/typing/:userId", List.of(Target.of(room() + "/typing/"
                + enc(alice.userId()), asAlice, () -> obj("{\"typing\":true,\"timeout\":1000}"))));
        t.put("POST " + V3 + "/rooms/:roomId/read_markers", List.of(Target.of(room() + "/read_markers", asAlice,
                () -> obj("{\"m.fully_read\":\"" + messageId + "\",\"m.read\":\"" + messageId
                        + "\",\"m.read.private\":\"" + messageId + "\"}"))));
        t.put("POST " + V3 + "/rooms/:roomId/receipt/:receiptType/:eventId", List.of(Target.of(room()
                + "/receipt/m.read/" + enc(messageId), asAlice, () -> obj("{\"thread_id\":\"main\"}"))));

        t.put("POST " + V3 + "/rooms/:roomId/send/:eventType", List.of(Target.of(room() + "/send/m.room.message",
                asAlice, () -> obj("{\"msgtype\":\"m.text\",\"body\":\"hi\"}"))));
        t.put("POST " + V3 + "/rooms/:roomId/redact/:eventId", List.of(Target.of(room() + "/redact/" + enc(messageId),
                asAlice, reason)));

        // End-to-end encryption keys.
        String aliceDevice = "{\"" + alice.userId() + "\":{\"" + alice.deviceId() + "\":";
        t.put("POST " + V3 + "/keys/upload", List.of(Target.of(V3 + "/keys/upload", asAlice,
                () -> obj("{\"one_time_keys\":{\"signed_curve25519:AAAA\":{\"key\":\"abc\",\"signatures\":"
                        + aliceDevice.replace("\":{\"", "\":{\"ed25519:") + "\"sig\"}}}},\"fallback_keys\":{}}"))));
        t.put("POST " + V3 + "/keys/query", List.of(Target.of(V3 + "/keys/query", asAlice,
                () -> obj("{\"device_keys\":{\"" + alice.userId() + "\":[]},\"timeout\":1000}"))));
        t.put("POST " + V3 + "/keys/claim", List.of(Target.of(V3 + "/keys/claim", asAlice,
                () -> obj("{\"one_time_keys\":" + aliceDevice + "\"signed_curve25519\"}},\"timeout\":1000}"))));
        t.put("POST " + V3 + "/keys/device_signing/upload", List.of(Target.of(V3 + "/keys/device_signing/upload",
                asAlice, () -> obj("{\"master_key\":{\"user_id\":\"" + alice.userId() + "\",\"usage\":[\"master\"],"
                        + "\"keys\":{\"ed25519:abc\":\"abc\"}}}"))));
        t.put("POST " + V3 + "/keys/signatures/upload", List.of(Target.of(V3 + "/keys/signatures/upload", asAlice,
                () -> obj(aliceDevice + "{\"user_id\":\"" + alice.userId() + "\",\"device_id\":\""
                        + alice.deviceId() + "\",\"algorithms\":[],\"keys\":{},\"signatures\":{}}}}"))));

        // To-device messages and key backups.
        t.put("PUT " + V3 + "/sendToDevice/:eventType/:txnId", List.of(withTxn(V3 + "/sendToDevice/org.example.ping/",
                () -> obj("{\"messages\":" + aliceDevice + "{\"a\":[\"b\",1]}},\"" + bob.userId()
                        + "\":{\"*\":{\"c\":\"d\"}}}}"))));
        String backup = "{\"algorithm\":\"m.megolm_backup.v1.curve25519-aes-sha2\",\"auth_data\":{\"public_key\":"
                + "\"abc\",\"signatures\":{}}}";
        t.put("POST " + V3 + "/room_keys/version", List.of(Target.of(V3 + "/room_keys/version", asAlice,
                () -> obj(backup))));
        t.put("PUT " + V3 + "/room_keys/version/:version", List.of(Target.of(V3 + "/room_keys/version/1", asAlice,
                () -> obj(backup.replace("{\"algorithm", "{\"version\":\"1\",\"algorithm")))));
        String session = "{\"first_message_index\":1,\"forwarded_count\":0,\"is_verified\":true,"
                + "\"session_data\":{\"ephemeral\":\"e\",\"ciphertext\":\"c\",\"mac\":\"m\"}}";
        String keys = V3 + "/room_keys/keys";
        t.put("PUT " + keys, List.of(Target.of(keys + "?version=1", asAlice,
                () -> obj("{\"rooms\":{\"" + roomId + "\":{\"sessions\":{\"s1\":" + session + "}}}}"))));
        t.put("PUT " + keys + "/:roomId", List.of(Target.of(keys + "/" + enc(roomId) + "?version=1", asAlice,
                () -> obj("{\"sessions\":{\"s1\":" + session + "}}"))));
        t.put("PUT " + keys + "/:roomId/:sessionId", List.of(Target.of(keys + "/" + enc(roomId) + "/s1?version=1",
                asAlice, () -> obj(session))));

        // Directory, search.
        t.put("PUT " + V3 + "/directory/list/appservice/:networkId/:roomId", List.of(Target.of(V3
                + "/directory/list/appservice/net/" + enc(roomId), () -> AS_TOKEN,
                () -> obj("{\"visibility\":\"public\"}"))));
        t.put("POST /_matrix/client/v1/appservice/:appserviceId/ping", List.of(Target.of(
                "/_matrix/client/v1/appservice/bridge/ping", () -> AS_TOKEN, () -> obj("{\"transaction_id\":\"t1\"}"))));
        t.put("PUT " + V3 + "/directory/list/room/:roomId", List.of(Target.of(V3 + "/directory/list/room/"
                + enc(roomId), asAlice, () -> obj("{\"visibility\":\"public\"}"))));
        t.put("PUT " + V3 + "/directory/room/:roomAlias", List.of(new Target(() -> new Call(V3 + "/directory/room/"
                + enc("#alias" + COUNTER.incrementAndGet() + ":" + hs.serverName()), alice.accessToken(),
                obj("{\"room_id\":\"" + roomId + "\"}")))));
        t.put("POST " + V3 + "/publicRooms", List.of(Target.of(V3 + "/publicRooms", asAlice,
                () -> obj("{\"limit\":10,\"filter\":{\"generic_search_term\":\"room\",\"room_types\":[null]},"
                        + "\"include_all_networks\":false}"))));
        t.put("POST " + V3 + "/user_directory/search", List.of(Target.of(V3 + "/user_directory/search", asAlice,
                () -> obj("{\"search_term\":\"bob\",\"limit\":10}"))));
        t.put("POST " + V3 + "/search", List.of(Target.of(V3 + "/search", asAlice,
                () -> obj("{\"search_categories\":{\"room_events\":{\"search_term\":\"hello\",\"keys\":[\"content.body\"],"
                        + "\"filter\":{\"limit\":5,\"rooms\":[\"" + roomId + "\"]},\"order_by\":\"recent\","
                        + "\"event_context\":{\"before_limit\":1,\"after_limit\":1,\"include_profile\":true},"
                        + "\"include_state\":true,\"groupings\":{\"group_by\":[{\"key\":\"room_id\"}]}}}}"))));

        // Per-user data.
        t.put("PUT " + V3 + "/presence/:userId/status", List.of(Target.of(V3 + "/presence/" + enc(alice.userId())
                + "/status", asAlice, () -> obj("{\"presence\":\"online\",\"status_msg\":\"busy\"}"))));
        String profile = V3 + "/profile/" + enc(alice.userId());
        t.put("PUT " + V3 + "/profile/:userId/:keyName", List.of(
                Target.of(profile + "/displayname", asAlice, () -> obj("{\"displayname\":\"Alice\"}")),
                Target.of(profile + "/avatar_url", asAlice, () -> obj("{\"avatar_url\":\"mxc://example.org/abc\"}")),
                Target.of(profile + "/m.tz", asAlice, () -> obj("{\"m.tz\":\"Europe/Paris\"}"))));
        t.put("POST " + V3 + "/pushers/set", List.of(Target.of(V3 + "/pushers/set", asAlice,
                () -> obj("{\"kind\":\"http\",\"app_id\":\"org.example.app\",\"app_display_name\":\"App\","
                        + "\"device_display_name\":\"Phone\",\"pushkey\":\"key\",\"lang\":\"en\",\"data\":{\"url\":"
                        + "\"https://push.example.org/_matrix/push/v1/notify\",\"format\":\"event_id_only\"},"
                        + "\"append\":false,\"profile_tag\":\"tag\"}"))));
        String rules = V3 + "/pushrules/global";
        t.put("PUT " + rules + "/:kind/:ruleId", List.of(
                Target.of(rules + "/override/bad.rule", asAlice,
                        () -> obj("{\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"default\"}],"
                                + "\"conditions\":[{\"kind\":\"event_match\",\"key\":\"content.body\",\"pattern\":\"x\"}]}")),
                Target.of(rules + "/content/bad.content", asAlice, () -> obj("{\"actions\":[\"notify\"],\"pattern\":\"cake\"}"))));
        t.put("PUT " + rules + "/:kind/:ruleId/actions", List.of(Target.of(rules + "/override/bad.rule/actions",
                asAlice, () -> obj("{\"actions\":[\"notify\"]}"))));
        t.put("PUT " + rules + "/:kind/:ruleId/enabled", List.of(Target.of(rules + "/override/bad.rule/enabled",
                asAlice, () -> obj("{\"enabled\":true}"))));
        t.put("POST " + V3 + "/user/:userId/filter", List.of(Target.of(user + "/filter", asAlice,
                () -> obj("{\"event_fields\":[\"type\",\"content.body\"],\"event_format\":\"client\","
                        + "\"presence\":{\"not_types\":[\"x\"]},\"account_data\":{\"limit\":1},\"room\":{\"rooms\":[\""
                        + roomId + "\"],\"timeline\":{\"limit\":10,\"types\":[\"m.room.message\"],"
                        + "\"contains_url\":false,\"lazy_load_members\":true}}}"))));
        t.put("PUT " + V3 + "/user/:userId/account_data/:type", List.of(Target.of(user + "/account_data/org.example.data",
                asAlice, () -> obj("{\"a\":{\"b\":[\"c\",1]}}"))));
        t.put("PUT " + V3 + "/user/:userId/rooms/:roomId/account_data/:type", List.of(Target.of(user + "/rooms/"
                + enc(roomId) + "/account_data/org.example.data", asAlice, () -> obj("{\"a\":\"b\"}"))));
        t.put("PUT " + V3 + "/user/:userId/rooms/:roomId/tags/:tag", List.of(Target.of(user + "/rooms/"
                + enc(roomId) + "/tags/u.work", asAlice, () -> obj("{\"order\":0.5}"))));

        // Media: an upload's body is the file, whatever its bytes; a PUT fills an id /create gave.
        for (String version : List.of("v3", "r0", "v1")) {
            t.put("POST /_matrix/media/" + version + "/upload", List.of(Target.of("/_matrix/media/" + version
                    + "/upload?filename=bad.json", asAlice, () -> obj("{\"a\":[1,2]}"))));
        }
        t.put("POST /_matrix/media/v1/create", List.of(fresh("/_matrix/media/v1/create", u -> "{}")));
        t.put("PUT /_matrix/media/v3/upload/:serverName/:mediaId", List.of(new Target(() -> {
            TestUser u = hs.registerUser("uploader" + COUNTER.incrementAndGet());
            String mxc = hs.expect(200, u, "POST", "/_matrix/media/v1/create", "{}").path("content_uri").asText();
            return new Call("/_matrix/media/v3/upload/" + mxc.substring("mxc://".length()), u.accessToken(),
                    obj("{\"a\":[1,2]}"));
        })));

        // Synapse's admin API for media: a throwaway upload quarantined; the room's media (avatars it names).
        Supplier<String> asAdmin = () -> adminToken;
        Supplier<String> throwaway = () -> {
            TestUser u = hs.registerUser("quarantined" + COUNTER.incrementAndGet());
            return hs.expect(200, u, "POST", "/_matrix/media/v1/create", "{}").path("content_uri").asText()
                    .substring("mxc://".length());
        };
        for (String action : List.of("quarantine", "unquarantine")) {
            String admin = "/_synapse/admin/v1/media/" + action + "/";
            t.put("POST " + admin + ":serverName/:mediaId", List.of(new Target(() -> new Call(admin + throwaway.get(),
                    adminToken, obj("{}")))));
        }
        t.put("POST /_synapse/admin/v1/room/:roomId/media/quarantine", List.of(Target.of("/_synapse/admin/v1/room/"
                + enc(roomId) + "/media/quarantine", asAdmin, () -> obj("{}"))));
        t.put("POST /_synapse/admin/v1/quarantine_media/:roomId", List.of(Target.of("/_synapse/admin/v1/quarantine_media/"
                + enc(roomId), asAdmin, () -> obj("{}"))));

        // Dehydrated devices (MSC3814): each PUT a new device with keys it signed.
        String dehydrated = "/_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device";
        t.put("PUT " + dehydrated, List.of(new Target(() -> new Call(dehydrated, alice.accessToken(),
                dehydratedDevice(alice, "DEHYDRATED" + COUNTER.incrementAndGet())))));
        t.put("POST " + dehydrated + "/:deviceId/events", List.of(new Target(() -> {
            String deviceId = "EVENTS" + COUNTER.incrementAndGet();
            hs.expect(200, bob, "PUT", dehydrated, dehydratedDevice(bob, deviceId).toString());
            return new Call(dehydrated + "/" + deviceId + "/events", bob.accessToken(), obj("{\"next_batch\":\"0\"}"));
        })));

        // Sliding sync (MSC4186): a fresh connection with every part of a request, waiting for nothing.
        String sliding = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
        t.put("POST " + sliding, List.of(Target.of(sliding, asAlice, () -> obj("{\"conn_id\":\"c\",\"lists\":{\"all\":"
                + "{\"ranges\":[[0,9]],\"timeline_limit\":2,\"required_state\":[[\"m.room.member\",\"$LAZY\"],"
                + "[\"*\",\"\"]],\"filters\":{\"is_dm\":false,\"is_encrypted\":false,\"is_invite\":false,"
                + "\"room_types\":[null],\"not_room_types\":[\"m.space\"],\"spaces\":[\"" + roomId + "\"]}}},"
                + "\"room_subscriptions\":{\"" + roomId + "\":{\"timeline_limit\":1,\"required_state\":[[\"*\",\"*\"]]}},"
                + "\"extensions\":{\"to_device\":{\"enabled\":true,\"since\":\"0\",\"limit\":10},"
                + "\"e2ee\":{\"enabled\":true},\"account_data\":{\"enabled\":true,\"lists\":[\"all\"],"
                + "\"rooms\":[\"*\"]},\"receipts\":{\"enabled\":true},\"typing\":{\"enabled\":true}}}"))));

        // Third-party identifiers: answered as Synapse does with no email or identity server.
        Supplier<ObjectNode> emailToken = () -> obj("{\"client_secret\":\"secret\",\"email\":\"a@example.org\","
                + "\"send_attempt\":1,\"next_link\":\"https://example.org\"}");
        Supplier<ObjectNode> msisdnToken = () -> obj("{\"client_secret\":\"secret\",\"country\":\"GB\","
                + "\"phone_number\":\"07700900000\",\"send_attempt\":1}");
        for (String path : List.of("/account/3pid/email/requestToken", "/account/password/email/requestToken",
                "/register/email/requestToken")) {
            t.put("POST " + V3 + path, List.of(Target.of(V3 + path, anonymous, emailToken)));
        }
        for (String path : List.of("/account/3pid/msisdn/requestToken", "/account/password/msisdn/requestToken",
                "/register/msisdn/requestToken")) {
            t.put("POST " + V3 + path, List.of(Target.of(V3 + path, anonymous, msisdnToken)));
        }
        Supplier<ObjectNode> threepid = () -> obj("{\"medium\":\"email\",\"address\":\"a@example.org\","
                + "\"id_server\":\"id.example.org\",\"id_access_token\":\"token\",\"sid\":\"sid\","
                + "\"client_secret\":\"secret\",\"three_pid_creds\":{\"sid\":\"sid\",\"client_secret\":\"secret\"}}");
        for (String path : List.of("/account/3pid", "/account/3pid/add", "/account/3pid/bind", "/account/3pid/delete",
                "/account/3pid/unbind")) {
            t.put("POST " + V3 + path, List.of(Target.of(V3 + path, asAlice, threepid)));
        }
        t.put("POST /_matrix/client/v1/login/get_token", List.of(Target.of("/_matrix/client/v1/login/get_token",
                asAlice, () -> obj("{\"auth\":" + passwordAuth(alice) + "}"))));
        t.put("POST " + V3 + "/user/:userId/openid/request_token", List.of(Target.of(user + "/openid/request_token",
                asAlice, () -> obj("{}"))));

        // Reports.
        Supplier<ObjectNode> report = () -> obj("{\"reason\":\"spam\",\"score\":-100}");
        t.put("POST " + V3 + "/rooms/:roomId/report/:eventId", List.of(Target.of(room() + "/report/" + enc(messageId),
                () -> bob.accessToken(), report)));
        t.put("POST " + V3 + "/rooms/:roomId/report", List.of(Target.of(room() + "/report", () -> bob.accessToken(),
                () -> obj("{\"reason\":\"spam\"}"))));
        t.put("POST " + V3 + "/users/:userId/report", List.of(Target.of(V3 + "/users/" + enc(alice.userId())
                + "/report", () -> bob.accessToken(), () -> obj("{\"reason\":\"spam\"}"))));

        // Keys (served on the client listener too).
        t.put("POST /_matrix/key/v2/query", List.of(Target.of("/_matrix/key/v2/query", anonymous,
                () -> obj("{\"server_keys\":{\"" + hs.serverName() + "\":{}}}"))));
        return t;
    }

    /** Each request from a newly registered user, with a body made for that user. */
    /**
     * The admin API's POST and PUT endpoints, each acting on a user of its own (a fresh one where the
     * request may deactivate, lock or log out its target) or on a room of its own.
     */
    private static void adminTargets(Map<String, List<Target>> t) {
        Supplier<String> asAdmin = () -> adminToken;
        String admin = "/_synapse/admin";
        TestUser target = hs.registerUser("admin-target");
        String roomOfItsOwn = hs.expect(200, creator, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        t.put("POST " + admin + "/v1/deactivate/:userId", List.of(onFreshUser(u -> admin + "/v1/deactivate/"
                + enc(u.userId()), u -> "{\"erase\":true}")));
        t.put("POST " + admin + "/v1/reset_password/:userId", List.of(onFreshUser(u -> admin + "/v1/reset_password/"
                + enc(u.userId()), u -> "{\"new_password\":\"np\",\"logout_devices\":true}")));
        t.put("PUT " + admin + "/v2/users/:userId", List.of(onFreshUser(u -> admin + "/v2/users/" + enc(u.userId()),
                u -> "{\"password\":\"pw\",\"logout_devices\":false,\"displayname\":\"D\",\"avatar_url\":\"mxc://a/b\","
                        + "\"threepids\":[{\"medium\":\"email\",\"address\":\"a@b.c\"}],\"external_ids\":[],"
                        + "\"admin\":false,\"deactivated\":false,\"user_type\":null,\"locked\":false}")));
        t.put("PUT " + admin + "/v2/users/:userId/devices/:deviceId", List.of(onFreshUser(u -> admin + "/v2/users/"
                + enc(u.userId()) + "/devices/" + enc(u.deviceId()), u -> "{\"display_name\":\"phone\"}")));
        t.put("POST " + admin + "/v2/users/:userId/delete_devices", List.of(onFreshUser(u -> admin + "/v2/users/"
                + enc(u.userId()) + "/delete_devices", u -> "{\"devices\":[\"" + u.deviceId() + "\"]}")));
        t.put("POST " + admin + "/v1/users/:userId/login", List.of(Target.of(admin + "/v1/users/"
                + enc(target.userId()) + "/login", asAdmin, () -> obj("{\"valid_until_ms\":"
                + (System.currentTimeMillis() + 60_000) + "}"))));
        t.put("POST " + admin + "/v1/users/:userId/override_ratelimit", List.of(Target.of(admin + "/v1/users/"
                + enc(target.userId()) + "/override_ratelimit", asAdmin,
                () -> obj("{\"messages_per_second\":5,\"burst_count\":10}"))));
        t.put("POST " + admin + "/v1/users/:userId/shadow_ban", List.of(Target.of(admin + "/v1/users/"
                + enc(target.userId()) + "/shadow_ban", asAdmin, () -> obj("{}"))));
        t.put("PUT /_matrix/client/v1/admin/lock/:userId", List.of(Target.of("/_matrix/client/v1/admin/lock/"
                + enc(target.userId()), asAdmin, () -> obj("{\"locked\":false}"))));
        t.put("PUT /_matrix/client/v1/admin/suspend/:userId", List.of(Target.of("/_matrix/client/v1/admin/suspend/"
                + enc(target.userId()), asAdmin, () -> obj("{\"suspended\":false}"))));
        t.put("PUT " + admin + "/v1/rooms/:roomId/block", List.of(Target.of(admin + "/v1/rooms/"
                + enc("!elsewhere:example.org") + "/block", asAdmin, () -> obj("{\"block\":true}"))));
        t.put("POST " + admin + "/v1/rooms/:roomId/make_room_admin", List.of(Target.of(admin + "/v1/rooms/"
                + enc(roomOfItsOwn) + "/make_room_admin", asAdmin, () -> obj("{\"user_id\":\"" + target.userId()
                + "\"}"))));
        t.put("POST " + admin + "/v1/send_server_notice", List.of(Target.of(admin + "/v1/send_server_notice", asAdmin,
                () -> obj("{\"user_id\":\"" + target.userId() + "\",\"type\":\"m.room.message\","
                        + "\"content\":{\"msgtype\":\"m.text\",\"body\":\"hi\"}}"))));
        // Not an admin endpoint, but left without a body since room upgrades came: each upgrade of a room of its own.
        t.put("POST " + V3 + "/rooms/:roomId/upgrade", List.of(new Target(() -> {
            String room = hs.expect(200, creator, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
            return new Call(V3 + "/rooms/" + enc(room) + "/upgrade", creator.accessToken(),
                    obj("{\"new_version\":\"11\"}"));
        })));
        t.put("POST " + admin + "/v1/federation/destinations/:destination/reset_connection", List.of(Target.of(
                admin + "/v1/federation/destinations/example.org/reset_connection", asAdmin, () -> obj("{}"))));
    }

    /** A request of the admin about a user registered for it alone. */
    private static Target onFreshUser(java.util.function.Function<TestUser, String> path,
                                      java.util.function.Function<TestUser, String> body) {
        return new Target(() -> {
            TestUser u = hs.registerUser("target" + COUNTER.incrementAndGet());
            return new Call(path.apply(u), adminToken, obj(body.apply(u)));
        });
    }

    private static Target fresh(String path, java.util.function.Function<TestUser, String> body) {
        return new Target(() -> {
            TestUser u = hs.registerUser("fresh" + COUNTER.incrementAndGet());
            return new Call(path, u.accessToken(), obj(body.apply(u)));
        });
    }

    /** A dehydrated device of {@code user} as Element uploads one, its keys signed by it. */
    private static ObjectNode dehydratedDevice(TestUser user, String deviceId) {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        SigningKey key = SigningKey.fromSeed(deviceId, seed);
        ObjectNode keys = obj("{\"user_id\":\"" + user.userId() + "\",\"device_id\":\"" + deviceId + "\","
                + "\"algorithms\":[\"m.olm.v1.curve25519-aes-sha2\",\"m.megolm.v1.aes-sha2\"]}");
        keys.putObject("keys").put("curve25519:" + deviceId, UnpaddedBase64.encode(seed))
                .put(key.keyId(), key.verifyKey().publicKeyBase64());
        ObjectNode body = obj("{\"device_id\":\"" + deviceId + "\",\"initial_device_display_name\":\"Backup\","
                + "\"device_data\":{\"algorithm\":\"org.matrix.msc3814.v2\",\"device_pickle\":\"abc\",\"nonce\":\"n\"}}");
        body.set("device_keys", JsonSigning.sign(keys, user.userId(), key));
        return body;
    }

    /** Alice's request to {@code prefix} plus a new transaction id each time. */
    private static Target withTxn(String prefix, Supplier<ObjectNode> base) {
        return new Target(() -> new Call(prefix + "txn" + COUNTER.incrementAndGet(), alice.accessToken(), base.get()));
    }

    private static String passwordAuth(TestUser u) {
        return "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + u.userId()
                + "\"},\"password\":\"" + u.password() + "\"}";
    }

    /**
     * What each user reads after a route was driven: /sync (initial and incremental), the room's
     * /messages and /context, and what else they stored. Any answer but 200 (or 404 for something
     * that may not exist) is a failure. Initial syncs are light (a short timeline) unless
     * {@code thorough}; the creator of many rooms syncs only then.
     */
    private static List<String> readable(String when, boolean thorough) {
        List<String> failures = new ArrayList<>();
        List<TestUser> users = thorough ? List.of(alice, bob, victim, leaver, creator)
                : List.of(alice, bob, victim, leaver);
        for (TestUser u : users) {
            expect(failures, when, u, "GET", V3 + "/sync?timeout=0"
                    + (thorough ? "" : "&filter=" + enc("{\"room\":{\"timeline\":{\"limit\":5}}}")), null, 200);
            HttpResponse<String> incremental = hs.authed(u.accessToken(), "GET", V3 + "/sync?timeout=0&since="
                    + enc(sinceTokens.get(u.userId())), null);
            if (incremental.statusCode() != 200) {
                failures.add(when + ": " + u.userId() + " incremental /sync: " + incremental.statusCode() + " "
                        + abbreviate(incremental.body()));
            } else {
                sinceTokens.put(u.userId(), TestHomeserver.json(incremental).path("next_batch").asText());
            }
        }
        for (TestUser member : thorough ? List.of(alice, bob) : List.of(alice)) {
            List<String> eventIds = new ArrayList<>();
            String from = "";
            do {
                HttpResponse<String> page = hs.authed(member.accessToken(), "GET", room() + "/messages?dir=b&limit=500"
                        + (from.isEmpty() ? "" : "&from=" + enc(from)), null);
                if (page.statusCode() != 200) {
                    failures.add(when + ": " + member.userId() + " /messages: " + page.statusCode() + " "
                            + abbreviate(page.body()));
                    break;
                }
                JsonNode json = TestHomeserver.json(page);
                json.path("chunk").forEach(e -> eventIds.add(e.path("event_id").asText()));
                from = json.path("chunk").isEmpty() ? "" : json.path("end").asText("");
            } while (!from.isEmpty());
            for (String eventId : eventIds.subList(0, Math.min(5, eventIds.size()))) {
                expect(failures, when, member, "GET", room() + "/context/" + enc(eventId) + "?limit=10", null, 200);
                expect(failures, when, member, "GET", room() + "/event/" + enc(eventId), null, 200);
            }
            expect(failures, when, member, "GET", room() + "/state", null, 200);
            expect(failures, when, member, "GET", room() + "/members", null, 200);
            expect(failures, when, member, "GET", room() + "/joined_members", null, 200);
            expect(failures, when, member, "POST", V3 + "/search",
                    "{\"search_categories\":{\"room_events\":{\"search_term\":\"hello\"}}}", 200);
        }
        String user = V3 + "/user/" + enc(alice.userId());
        expect(failures, when, alice, "GET", V3 + "/devices", null, 200);
        expect(failures, when, alice, "GET", V3 + "/profile/" + enc(alice.userId()), null, 200);
        expect(failures, when, bob, "GET", V3 + "/presence/" + enc(alice.userId()) + "/status", null, 200);
        expect(failures, when, alice, "GET", V3 + "/pushrules/", null, 200);
        expect(failures, when, alice, "GET", user + "/account_data/org.example.data", null, 200, 404);
        expect(failures, when, alice, "GET", user + "/rooms/" + enc(roomId) + "/account_data/org.example.data", null,
                200, 404);
        expect(failures, when, alice, "GET", user + "/rooms/" + enc(roomId) + "/tags", null, 200);
        expect(failures, when, alice, "GET", V3 + "/publicRooms", null, 200);
        expect(failures, when, bob, "POST", V3 + "/user_directory/search", "{\"search_term\":\"a\"}", 200);
        expect(failures, when, alice, "GET", V3 + "/joined_rooms", null, 200);
        return failures;
    }

    private static void expect(List<String> failures, String when, TestUser u, String method, String path, String body,
                               int... statuses) {
        HttpResponse<String> r = hs.authed(u.accessToken(), method, path, body);
        for (int status : statuses) {
            if (r.statusCode() == status) {
                return;
            }
        }
        failures.add(when + ": " + u.userId() + " " + method + " " + path + ": " + r.statusCode() + " "
                + abbreviate(r.body()));
    }

    private static HttpResponse<String> send(String method, String path, String token, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(hs.clientUri(path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return hs.send(b);
    }

    private static String room() {
        return V3 + "/rooms/" + enc(roomId);
    }

    private static ObjectNode obj(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static JsonNode adminRegister(String name, String password, boolean admin) {
        String nonce = TestHomeserver.json(hs.get("/_synapse/admin/v1/register")).path("nonce").asText();
        return hs.expect(200, null, "POST", "/_synapse/admin/v1/register", "{\"nonce\":\"" + nonce + "\",\"username\":\""
                + name + "\",\"password\":\"" + password + "\",\"admin\":" + admin + ",\"mac\":\""
                + mac(nonce, name, password, admin) + "\"}");
    }

    /** The shared-secret registration MAC (Synapse's admin API). */
    private static String mac(String nonce, String user, String password, boolean admin) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String message = nonce + "\0" + user + "\0" + password + "\0" + (admin ? "admin" : "notadmin");
            return HexFormat.of().formatHex(hmac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
