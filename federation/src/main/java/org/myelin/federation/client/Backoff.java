package org.myelin.federation.client;

import org.myelin.federation.FederationSettings;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-destination exponential backoff: after the first failure a destination is left alone for
 * the initial delay, after each further failure in a row for twice as long, never longer than the
 * maximum; one success (or a request from that server, which shows it is up) resets it.
 */
public final class Backoff {

    /** {@code failedSince}: the first failure of the run; {@code lastFailure}: the latest. */
    private record State(int failures, long retryAt, long failedSince, long lastFailure) {
    }

    /**
     * A failing destination's retry timings, as Synapse's admin API shows them.
     *
     * @param failureTs     when the destination started failing (the first failure in a row), epoch ms
     * @param retryLastTs   when the latest failure happened, epoch ms
     * @param retryInterval how long after it the destination is left alone, ms
     */
    public record Timing(long failureTs, long retryLastTs, long retryInterval) {
    }

    private final FederationSettings.BackoffSettings settings;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public Backoff(FederationSettings.BackoffSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Whether requests to {@code destination} should wait. */
    public boolean isBackingOff(String destination) {
        State s = states.get(destination);
        return s != null && clock.millis() < s.retryAt();
    }

    /** When {@code destination} may be tried again (epoch millis); 0 if at once. */
    public long retryAt(String destination) {
        State s = states.get(destination);
        return s == null ? 0 : s.retryAt();
    }

    /** How many failures in a row {@code destination} had. */
    public int failures(String destination) {
        State s = states.get(destination);
        return s == null ? 0 : s.failures();
    }

    /** Records a failure; returns the delay before the next try, in milliseconds. */
    public long failure(String destination) {
        long now = clock.millis();
        State next = states.merge(destination, new State(1, 0, now, now),
                (old, one) -> new State(old.failures() + 1, 0, old.failedSince(), now));
        long delay = delayAfter(next.failures());
        states.put(destination, new State(next.failures(), now + delay, next.failedSince(), now));
        return delay;
    }

    /** The retry timings of {@code destination}, empty while it is not failing. */
    public Optional<Timing> timing(String destination) {
        State s = states.get(destination);
        return s == null ? Optional.empty()
                : Optional.of(new Timing(s.failedSince(), s.lastFailure(), s.retryAt() - s.lastFailure()));
    }

    /** The destinations that are failing now. */
    public Set<String> failing() {
        return Set.copyOf(states.keySet());
    }

    /** Records a success: the destination is up. */
    public void success(String destination) {
        states.remove(destination);
    }

    /** The delay after {@code failures} failures in a row. */
    long delayAfter(int failures) {
        long initial = settings.initial().toMillis();
        long max = settings.max().toMillis();
        int doublings = Math.min(failures - 1, 40);
        long delay = initial;
        for (int i = 0; i < doublings && delay < max; i++) {
            delay *= 2;
        }
        return Math.min(delay, max);
    }
}
