package org.myelin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * The coverage test: every operation of the specification's OpenAPI files is called on a running
 * Myelin, and each must be answered by a handler (any status, even an error about its
 * parameters), not by the router's 404 or 405 {@code M_UNRECOGNIZED}, unless it is on one of the
 * two lists below. The operations come from {@code spec/endpoints.tsv}, which
 * {@code spec/generate.py} writes from the spec's {@code data/api}.
 */
class SpecRoutesIT {

    /** Operations the spec lets a server leave out, left out on purpose. */
    private static final Map<String, String> LEFT_OUT = Map.of(
            // A server without OAuth 2.0 answers 404 M_UNRECOGNIZED here, as the spec says.
            "GET /_matrix/client/v1/auth_metadata", "OAuth 2.0 API",
            // No SSO identity provider: /login lists no m.login.sso flow, so no client comes here.
            "GET /_matrix/client/v3/login/sso/redirect", "SSO",
            "GET /_matrix/client/v3/login/sso/redirect/{idpId}", "SSO",
            // Policy servers are optional (spec v1.15) and none is configured.
            "GET /.well-known/matrix/policy_server", "policy server",
            "POST /_matrix/policy/v1/sign", "policy server");

    /**
     * Operations not built yet, each with the open issue that builds it. An operation that
     * starts answering must leave this list (the test fails until it does), so it stays true.
     */
    private static final Map<String, String> NOT_YET = notYet(Map.of());

    private static Map<String, String> notYet(Map<String, List<String>> byIssue) {
        Map<String, String> operations = new TreeMap<>();
        byIssue.forEach((issue, list) -> list.forEach(operation -> operations.put(operation, issue)));
        return operations;
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{(\\w+)}");

    record Endpoint(String specFile, String method, String path) {
        String operation() {
            return method + " " + path;
        }

        /** Endpoints that end the caller's session go last, so the others keep a valid token. */
        boolean endsSession() {
            return path.contains("/logout") || path.contains("/account/deactivate");
        }
    }

    private static TestHomeserver hs;
    private static TestUser user;
    private static final Map<Endpoint, HttpResponse<String>> answers = new TreeMap<>(
            Comparator.comparing(Endpoint::specFile).thenComparing(Endpoint::path).thenComparing(Endpoint::method));

    @BeforeAll
    static void probeEveryEndpoint() throws IOException {
        hs = TestHomeserver.start();
        user = hs.registerUser("prober");
        List<Endpoint> endpoints = endpoints();
        endpoints.sort(Comparator.comparing(Endpoint::endsSession));
        for (Endpoint endpoint : endpoints) {
            answers.put(endpoint, probe(endpoint));
        }
        // The coverage figure, for the test report.
        Set<String> operations = new java.util.HashSet<>();
        Set<String> routedOperations = new java.util.HashSet<>();
        answers.forEach((endpoint, answer) -> {
            operations.add(endpoint.operation());
            if (routed(answer)) {
                routedOperations.add(endpoint.operation());
            }
        });
        System.out.printf("spec coverage: %d of %d operations routed; not yet: %s%n",
                routedOperations.size(), operations.size(), NOT_YET);
    }

    @AfterAll
    static void stop() {
        if (hs != null) {
            hs.close();
        }
    }

    @Test
    void everyOperationIsRoutedButThoseListed() {
        List<String> unrouted = new ArrayList<>();
        answers.forEach((endpoint, answer) -> {
            String operation = endpoint.operation();
            if (!routed(answer) && !LEFT_OUT.containsKey(operation) && !NOT_YET.containsKey(operation)) {
                unrouted.add(operation + " (" + endpoint.specFile() + ") -> " + answer.statusCode() + " " + answer.body());
            }
        });
        assertEquals(List.of(), unrouted);
    }

    @Test
    void theListsNameOnlyOperationsThatAreNotRouted() {
        List<String> stale = new ArrayList<>();
        answers.forEach((endpoint, answer) -> {
            if (routed(answer) && (LEFT_OUT.containsKey(endpoint.operation()) || NOT_YET.containsKey(endpoint.operation()))) {
                stale.add(endpoint.operation());
            }
        });
        assertEquals(List.of(), stale, "routed now: take them off the lists");
        Set<String> known = new java.util.HashSet<>();
        answers.keySet().forEach(e -> known.add(e.operation()));
        List<String> unknown = new ArrayList<>(NOT_YET.keySet());
        unknown.addAll(LEFT_OUT.keySet());
        unknown.removeAll(known);
        assertEquals(List.of(), unknown, "listed operations that the spec does not have");
    }

    /** Not the router's answer for a path or method nothing serves. */
    private static boolean routed(HttpResponse<String> answer) {
        boolean unrecognized = answer.body().contains("\"M_UNRECOGNIZED\"");
        return !(unrecognized && (answer.statusCode() == 404 || answer.statusCode() == 405));
    }

    private static HttpResponse<String> probe(Endpoint endpoint) {
        String path = fill(endpoint.path());
        if (path.equals("/_matrix/client/v3/events")) {
            // The event stream long-polls 30 seconds by default (as Synapse's): answer at once.
            path += "?timeout=0";
        }
        HttpRequest.BodyPublisher body = endpoint.method().equals("GET") || endpoint.method().equals("DELETE")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}");
        boolean federation = path.startsWith("/_matrix/federation/") || path.startsWith("/_matrix/key/");
        HttpRequest.Builder request = HttpRequest.newBuilder(federation ? hs.federationUri(path) : hs.clientUri(path))
                .method(endpoint.method(), body)
                .header("Content-Type", "application/json");
        if (!federation) {
            request.header("Authorization", "Bearer " + user.accessToken());
        }
        return hs.send(request);
    }

    /** The path with each parameter replaced by a value of its kind (ids that name nothing). */
    private static String fill(String path) {
        Matcher m = PARAMETER.matcher(path);
        StringBuilder filled = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "userId" -> user.userId();
                case "roomId" -> "!nosuchroom:" + hs.serverName();
                case "roomIdOrAlias" -> "#nosuchalias:" + hs.serverName();
                case "roomAlias" -> "#nosuchalias:" + hs.serverName();
                case "eventId" -> "$nosuchevent";
                case "serverName", "origin" -> hs.serverName();
                case "queryType" -> "profile";
                default -> "x";
            };
            m.appendReplacement(filled, Matcher.quoteReplacement(TestHomeserver.enc(value)));
        }
        return m.appendTail(filled).toString();
    }

    private static List<Endpoint> endpoints() throws IOException {
        List<Endpoint> endpoints = new ArrayList<>();
        try (var in = SpecRoutesIT.class.getResourceAsStream("/spec/endpoints.tsv");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t");
                endpoints.add(new Endpoint(fields[0], fields[1], fields[2]));
            }
        }
        return endpoints;
    }
}
