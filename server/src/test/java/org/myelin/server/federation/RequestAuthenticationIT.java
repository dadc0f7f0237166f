package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.federation.auth.RequestSigning;
import org.myelin.federation.auth.XMatrixAuthorization;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every federation request but the key endpoints must carry a valid X-Matrix signature by a
 * current key of its origin, addressed to this server (server-server API, "Request
 * Authentication"); anything else is 401 M_UNAUTHORIZED.
 */
class RequestAuthenticationIT {

    static TestHomeserver a;
    static FakeRemoteServer fake;
    static final String EVENT = "/_matrix/federation/v1/event/%24nothing";

    @BeforeAll
    static void start() {
        a = TestHomeserver.start();
        fake = FakeRemoteServer.start();
    }

    @AfterAll
    static void stop() {
        fake.close();
        a.close();
    }

    private static void assertUnauthorized(HttpResponse<String> response) {
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("M_UNAUTHORIZED", TestHomeserver.json(response).path("errcode").asText(), response.body());
    }

    @Test
    void acceptsASignedRequest() {
        HttpResponse<String> response = fake.request(a, "GET", EVENT, null);
        assertEquals(404, response.statusCode(), response.body());
        assertEquals("M_NOT_FOUND", TestHomeserver.json(response).path("errcode").asText());
    }

    @Test
    void acceptsAHeaderWithoutDestinationFromOlderServers() {
        XMatrixAuthorization signed = RequestSigning.sign("GET", EVENT, fake.serverName(), a.serverName(), null,
                fake.signingKey());
        XMatrixAuthorization old = new XMatrixAuthorization(signed.origin(), null, signed.key(), signed.signature());
        assertEquals(404, fake.request(a, "GET", EVENT, null, old.toString()).statusCode());
    }

    @Test
    void refusesARequestWithoutSignature() {
        assertUnauthorized(fake.request(a, "GET", EVENT, null, null));
    }

    @Test
    void refusesAMalformedHeader() {
        assertUnauthorized(fake.request(a, "GET", EVENT, null, "X-Matrix origin=\"" + fake.serverName() + "\""));
        assertUnauthorized(fake.request(a, "GET", EVENT, null, "Bearer abc"));
    }

    @Test
    void refusesASignatureByAnotherKey() {
        SigningKey forger = SigningKey.fromSeed(fake.signingKey().version(), new byte[32]);
        String forged = RequestSigning.sign("GET", EVENT, fake.serverName(), a.serverName(), null, forger).toString();
        assertUnauthorized(fake.request(a, "GET", EVENT, null, forged));
    }

    @Test
    void refusesAKeyTheOriginDoesNotPublish() {
        SigningKey unknown = SigningKey.fromSeed("unpublished", new byte[32]);
        String header = RequestSigning.sign("GET", EVENT, fake.serverName(), a.serverName(), null, unknown).toString();
        assertUnauthorized(fake.request(a, "GET", EVENT, null, header));
    }

    @Test
    void refusesARequestForAnotherDestination() {
        String header = fake.authorization("GET", EVENT, "elsewhere.example.org", null);
        assertUnauthorized(fake.request(a, "GET", EVENT, null, header));
    }

    @Test
    void refusesASignatureOfAnotherUriOrBody() {
        String otherUri = fake.authorization("GET", "/_matrix/federation/v1/event/%24other", a.serverName(), null);
        assertUnauthorized(fake.request(a, "GET", EVENT, null, otherUri));

        ObjectNode signedBody = fake.transactionOf(List.of(), List.of());
        ObjectNode sentBody = fake.transactionOf(List.of(), List.of());
        sentBody.put("origin_server_ts", 1);
        String uri = "/_matrix/federation/v1/send/t1";
        String header = fake.authorization("PUT", uri, a.serverName(), signedBody);
        assertUnauthorized(fake.request(a, "PUT", uri, sentBody, header));
    }

    @Test
    void refusesAnOriginWhoseKeysCannotBeFetched() {
        SigningKey key = SigningKey.fromSeed("k", new byte[32]);
        String nobody = "127.0.0.1:" + TestHomeserver.freePort();
        String header = RequestSigning.sign("GET", EVENT, nobody, a.serverName(), null, key).toString();
        assertUnauthorized(fake.request(a, "GET", EVENT, null, header));
    }

    @Test
    void keyAndVersionEndpointsNeedNoSignature() {
        assertEquals(200, fake.request(a, "GET", "/_matrix/key/v2/server", null, null).statusCode());
        HttpResponse<String> version = fake.request(a, "GET", "/_matrix/federation/v1/version", null, null);
        assertEquals(200, version.statusCode());
        assertEquals("Myelin", TestHomeserver.json(version).path("server").path("name").asText());
    }

    @Test
    void unknownEndpointsAndMethodsAreUnrecognized() {
        HttpResponse<String> unknown = fake.request(a, "GET", "/_matrix/federation/v1/nothing_here", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("M_UNRECOGNIZED", TestHomeserver.json(unknown).path("errcode").asText());
        HttpResponse<String> wrongMethod = a.send(HttpRequest.newBuilder(
                a.federationUri("/_matrix/federation/v1/send/t1")).GET());
        assertEquals(405, wrongMethod.statusCode());
    }
}
