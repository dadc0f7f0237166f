package org.myelin.server.client.account;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Third-party identifiers (client-server API, "Adding Account Administrative Contact
 * Information", "Registration", "Password management"). Myelin sends no email and no SMS, trusts
 * no identity server and advertises {@code m.3pid_changes: false}: each endpoint answers what
 * Synapse answers with 3PID changes disabled and neither email nor a phone delegate configured,
 * a Matrix error clients read, never 404.
 */
class ThirdPartyIdIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String SECRET = "d0nt-T3ll";
    private static final String EMAIL_TOKEN = "{\"client_secret\":\"" + SECRET + "\",\"email\":\"alice@example.org\","
            + "\"send_attempt\":1}";
    private static final String MSISDN_TOKEN = "{\"client_secret\":\"" + SECRET + "\",\"country\":\"GB\","
            + "\"phone_number\":\"07700900001\",\"send_attempt\":1}";

    static TestHomeserver hs;
    static TestUser alice;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static void answers(int status, String errcode, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(errcode, Requests.errcode(r), r.body());
    }

    private static HttpResponse<String> authed(String path, String body) {
        return hs.authed(alice.accessToken(), "POST", V3 + path, body);
    }

    private static HttpResponse<String> anonymous(String path, String body) {
        return hs.request("POST", V3 + path, body);
    }

    @Test
    void anAccountHasNoThirdPartyIdentifiers() {
        HttpResponse<String> r = hs.authed(alice.accessToken(), "GET", V3 + "/account/3pid", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"threepids\":[]}", r.body());
        assertEquals(401, hs.get(V3 + "/account/3pid").statusCode());
    }

    @Test
    void addingAndDeletingAreDisabled() {
        answers(400, "M_FORBIDDEN", authed("/account/3pid", "{\"three_pid_creds\":{\"client_secret\":\"" + SECRET
                + "\",\"sid\":\"abc\",\"id_server\":\"id.example.org\",\"id_access_token\":\"t\"}}"));
        answers(400, "M_FORBIDDEN", authed("/account/3pid/add", "{\"client_secret\":\"" + SECRET + "\",\"sid\":\"abc\"}"));
        answers(400, "M_FORBIDDEN", authed("/account/3pid/delete",
                "{\"medium\":\"email\",\"address\":\"alice@example.org\"}"));
        answers(400, "M_FORBIDDEN", anonymous("/account/3pid/email/requestToken", EMAIL_TOKEN));
        answers(401, "M_MISSING_TOKEN", anonymous("/account/3pid/add", "{}"));
        answers(401, "M_MISSING_TOKEN", anonymous("/account/3pid/delete", "{}"));
    }

    @Test
    void phoneNumbersAreNotSupported() {
        answers(400, "M_THREEPID_MEDIUM_NOT_SUPPORTED", anonymous("/account/3pid/msisdn/requestToken", MSISDN_TOKEN));
        answers(400, "M_MISSING_PARAM", anonymous("/account/3pid/msisdn/requestToken",
                "{\"client_secret\":\"" + SECRET + "\",\"country\":\"GB\",\"send_attempt\":1}"));
        answers(400, "M_INVALID_PARAM", anonymous("/account/3pid/msisdn/requestToken",
                MSISDN_TOKEN.replace(SECRET, "not secret!")));
        answers(400, "M_BAD_JSON", anonymous("/account/3pid/msisdn/requestToken",
                MSISDN_TOKEN.replace("\"send_attempt\":1", "\"send_attempt\":\"one\"")));

        answers(400, "M_UNKNOWN", anonymous("/register/msisdn/requestToken", MSISDN_TOKEN));
        answers(400, "M_MISSING_PARAM", anonymous("/register/msisdn/requestToken", "{\"client_secret\":\"" + SECRET + "\"}"));
        answers(400, "M_INVALID_PARAM", anonymous("/register/msisdn/requestToken", MSISDN_TOKEN.replace(SECRET, "")));

        answers(400, "M_UNKNOWN", anonymous("/account/password/msisdn/requestToken", MSISDN_TOKEN));
    }

    @Test
    void emailIsNotSent() {
        answers(400, "M_UNKNOWN", anonymous("/register/email/requestToken", EMAIL_TOKEN));
        answers(400, "M_UNKNOWN", anonymous("/account/password/email/requestToken", EMAIL_TOKEN));
        answers(400, "M_NOT_JSON", anonymous("/account/3pid/msisdn/requestToken", "not json"));
    }

    @Test
    void identityServersAreNotAskedToBindOrUnbind() {
        answers(403, "M_SERVER_NOT_TRUSTED", authed("/account/3pid/bind", "{\"client_secret\":\"" + SECRET
                + "\",\"id_server\":\"id.example.org\",\"id_access_token\":\"t\",\"sid\":\"abc\"}"));
        answers(400, "M_MISSING_PARAM", authed("/account/3pid/bind", "{\"client_secret\":\"" + SECRET
                + "\",\"id_server\":\"id.example.org\",\"sid\":\"abc\"}"));
        answers(400, "M_INVALID_PARAM", authed("/account/3pid/bind", "{\"client_secret\":\"" + "x".repeat(256)
                + "\",\"id_server\":\"id.example.org\",\"id_access_token\":\"t\",\"sid\":\"abc\"}"));
        answers(401, "M_MISSING_TOKEN", anonymous("/account/3pid/bind", "{}"));

        HttpResponse<String> unbind = authed("/account/3pid/unbind", "{\"medium\":\"email\",\"address\":\"a@example.org\"}");
        assertEquals(200, unbind.statusCode(), unbind.body());
        assertEquals("no-support", Requests.json(unbind).path("id_server_unbind_result").asText());
        HttpResponse<String> named = authed("/account/3pid/unbind",
                "{\"medium\":\"msisdn\",\"address\":\"447700900001\",\"id_server\":\"id.example.org\"}");
        assertEquals("no-support", Requests.json(named).path("id_server_unbind_result").asText(), named.body());
        answers(400, "M_BAD_JSON", authed("/account/3pid/unbind", "{\"medium\":\"fax\",\"address\":\"1\"}"));
        answers(400, "M_MISSING_PARAM", authed("/account/3pid/unbind", "{\"medium\":\"email\"}"));
        answers(401, "M_MISSING_TOKEN", anonymous("/account/3pid/unbind", "{}"));
    }
}
