package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;

/** What the {@code registration} config allows: off, guests, loopback only. */
class RegistrationPolicyIT {

    private static final String REGISTER = "/_matrix/client/v3/register";

    private static TestHomeserver start(HomeserverConfig.Registration registration) {
        return TestHomeserver.builder().configure(c -> c.withRegistration(registration)).start();
    }

    @Test
    void registrationOffIs403ForbiddenEverywhere() {
        try (TestHomeserver hs = start(new HomeserverConfig.Registration(false, false, false, false, null))) {
            HttpResponse<String> r = hs.request("POST", REGISTER, "{\"username\":\"x\",\"password\":\"y\","
                    + "\"auth\":{\"type\":\"m.login.dummy\"}}");
            assertEquals(403, r.statusCode(), r.body());
            assertEquals("M_FORBIDDEN", errcode(r));
            assertEquals(403, hs.get(REGISTER + "/available?username=x").statusCode());
            assertEquals(403, hs.get("/_matrix/client/v1/register/m.login.registration_token/validity?token=x")
                    .statusCode());
            assertEquals(403, hs.request("POST", REGISTER + "?kind=guest", "{}").statusCode(), "guests neither");
        }
    }

    @Test
    void guestsRegisterWithoutAuthAndAreLimited() {
        try (TestHomeserver hs = start(new HomeserverConfig.Registration(true, false, false, true, null))) {
            HttpResponse<String> r = hs.request("POST", REGISTER + "?kind=guest",
                    "{\"username\":\"ignored\",\"device_id\":\"IGNORED\",\"initial_device_display_name\":\"Guest tab\"}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = json(r);
            assertTrue(body.path("user_id").asText().matches("@[0-9]+:.*"), body::toString);
            assertTrue(!body.path("device_id").asText().equals("IGNORED"), "the server picks the device id");
            String token = body.path("access_token").asText();
            JsonNode whoami = json(hs.authed(token, "GET", "/_matrix/client/v3/account/whoami", null));
            assertTrue(whoami.path("is_guest").asBoolean());
            HttpResponse<String> device = hs.authed(token, "GET", "/_matrix/client/v3/devices/"
                    + body.path("device_id").asText(), null);
            assertEquals("Guest tab", json(device).path("display_name").asText());
            HttpResponse<String> refused = hs.authed(token, "GET", "/_matrix/client/v3/account/3pid", null);
            assertEquals(403, refused.statusCode());
            assertEquals("M_GUEST_ACCESS_FORBIDDEN", errcode(refused));
            assertEquals(200, hs.request("POST", REGISTER + "?kind=guest", null).statusCode(), "no body is fine");
        }
    }

    @Test
    void loopbackOnlyRefusesOtherAddresses() {
        Optional<InetAddress> lan = nonLoopbackAddress();
        assumeTrue(lan.isPresent(), "this machine has no non-loopback IPv4 address");
        String host = lan.get().getHostAddress();
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c
                .withRegistration(new HomeserverConfig.Registration(true, true, false, false, null))
                .withListeners(List.of(new HomeserverConfig.Listener(0, "0.0.0.0", null, List.of(Resource.CLIENT)),
                        c.listeners().get(1)))).start()) {
            URI remote = URI.create("http://" + host + ":" + hs.clientPort() + REGISTER);
            HttpResponse<String> r = hs.send(HttpRequest.newBuilder(remote)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"far\",\"password\":\"pw\","
                            + "\"auth\":{\"type\":\"m.login.dummy\"}}")));
            assertEquals(403, r.statusCode(), r.body());
            assertEquals("M_FORBIDDEN", errcode(r));
            hs.registerUser("near"); // loopback still may (throws if refused)
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(i -> {
                        try {
                            return i.isUp() && !i.isLoopback();
                        } catch (SocketException e) {
                            return false;
                        }
                    })
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                    .findFirst();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }
}
