package org.myelin.federation.discovery;

import org.junit.jupiter.api.Test;
import org.myelin.federation.testing.MutableClock;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code /.well-known/matrix/server}: validation, redirects, and how long answers and failures are cached. */
class WellKnownResolverTest {

    private final MutableClock clock = new MutableClock();
    private final Deque<Object> answers = new ArrayDeque<>();
    private final List<URI> fetched = new ArrayList<>();
    private final WellKnownResolver resolver = new WellKnownResolver(url -> {
        fetched.add(url);
        Object next = answers.isEmpty() ? new IOException("connection refused") : answers.poll();
        if (next instanceof Exception e) {
            throw e;
        }
        return (WellKnownResolver.Response) next;
    }, clock);

    static WellKnownResolver.Response ok(String body, String cacheControl) {
        return new WellKnownResolver.Response(200, null, cacheControl, body.getBytes(StandardCharsets.UTF_8));
    }

    static WellKnownResolver.Response redirect(String location) {
        return new WellKnownResolver.Response(302, location, null, new byte[0]);
    }

    @Test
    void aValidAnswerIsCachedForADayWithoutCacheControl() {
        answers.add(ok("{\"m.server\": \"matrix.example.org:443\"}", null));
        assertEquals(Optional.of("matrix.example.org:443"), resolver.delegatedServer("example.org"));
        assertEquals(URI.create("https://example.org/.well-known/matrix/server"), fetched.getFirst());
        clock.advance(Duration.ofHours(23));
        assertEquals(Optional.of("matrix.example.org:443"), resolver.delegatedServer("example.org"));
        assertEquals(1, fetched.size());
        clock.advance(Duration.ofHours(2));
        answers.add(ok("{\"m.server\": \"new.example.org\"}", null));
        assertEquals(Optional.of("new.example.org"), resolver.delegatedServer("example.org"));
        assertEquals(2, fetched.size());
    }

    @Test
    void cacheControlIsHonouredWithinFiveMinutesAndTwoDays() {
        assertEquals(Duration.ofHours(1), WellKnownResolver.cachePeriod("public, max-age=3600"));
        assertEquals(Duration.ofMinutes(5), WellKnownResolver.cachePeriod("max-age=10"));
        assertEquals(Duration.ofMinutes(5), WellKnownResolver.cachePeriod("no-store"));
        assertEquals(Duration.ofHours(48), WellKnownResolver.cachePeriod("max-age=31536000"));
        assertEquals(Duration.ofHours(24), WellKnownResolver.cachePeriod("public"));
        assertEquals(Duration.ofHours(24), WellKnownResolver.cachePeriod(null));

        answers.add(ok("{\"m.server\": \"a.example.org\"}", "max-age=600"));
        resolver.delegatedServer("example.org");
        clock.advance(Duration.ofMinutes(11));
        answers.add(ok("{\"m.server\": \"b.example.org\"}", null));
        assertEquals(Optional.of("b.example.org"), resolver.delegatedServer("example.org"));
    }

    @Test
    void invalidAnswersMeanNoDelegationForAnHour() {
        for (String body : List.of("not json", "[]", "{}", "{\"m.server\": 5}", "{\"m.server\": \"bad name!\"}")) {
            WellKnownResolver fresh = new WellKnownResolver(url -> ok(body, null), clock);
            assertEquals(Optional.empty(), fresh.delegatedServer("example.org"), body);
        }
        answers.add(new WellKnownResolver.Response(404, null, null, new byte[0]));
        assertEquals(Optional.empty(), resolver.delegatedServer("example.org"));
        clock.advance(Duration.ofMinutes(59));
        assertEquals(Optional.empty(), resolver.delegatedServer("example.org"));
        assertEquals(1, fetched.size());
        clock.advance(Duration.ofMinutes(2));
        answers.add(ok("{\"m.server\": \"later.example.org\"}", null));
        assertEquals(Optional.of("later.example.org"), resolver.delegatedServer("example.org"));
    }

    @Test
    void connectionFailuresAreRetriedSoonerThenLessOften() {
        assertEquals(Optional.empty(), resolver.delegatedServer("example.org"));
        clock.advance(Duration.ofMinutes(2).plusSeconds(1));
        assertEquals(Optional.empty(), resolver.delegatedServer("example.org"));
        assertEquals(2, fetched.size(), "retried after 2 minutes");
        clock.advance(Duration.ofMinutes(3));
        resolver.delegatedServer("example.org");
        assertEquals(2, fetched.size(), "the second failure in a row waits 4 minutes");
        clock.advance(Duration.ofMinutes(2));
        resolver.delegatedServer("example.org");
        assertEquals(3, fetched.size());
    }

    @Test
    void aDelegationLearntBeforeIsKeptWhileTheHostFails() {
        answers.add(ok("{\"m.server\": \"matrix.example.org\"}", "max-age=300"));
        resolver.delegatedServer("example.org");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(Optional.of("matrix.example.org"), resolver.delegatedServer("example.org"));
        assertEquals(2, fetched.size());
    }

    @Test
    void redirectsAreFollowedButNotInLoopsNorToPlainHttp() {
        answers.add(redirect("https://www.example.org/.well-known/matrix/server"));
        answers.add(redirect("/elsewhere"));
        answers.add(ok("{\"m.server\": \"matrix.example.org\"}", null));
        assertEquals(Optional.of("matrix.example.org"), resolver.delegatedServer("example.org"));
        assertEquals(URI.create("https://www.example.org/elsewhere"), fetched.get(2));

        answers.add(redirect("https://loop.example.org/a"));
        answers.add(redirect("https://loop.example.org/b"));
        answers.add(redirect("https://loop.example.org/a"));
        assertEquals(Optional.empty(), resolver.delegatedServer("loop.example.org"));

        answers.add(redirect("http://plain.example.org/.well-known/matrix/server"));
        assertEquals(Optional.empty(), resolver.delegatedServer("plain.example.org"));
    }
}
