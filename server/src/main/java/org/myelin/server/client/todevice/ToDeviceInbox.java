package org.myelin.server.client.todevice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.streams.ToDeviceRepository;
import org.myelin.storage.streams.ToDeviceRepository.Batch;
import org.myelin.storage.streams.ToDeviceRepository.Stored;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where to-device messages for our users' devices are put, whoever sent them: a batch is stored
 * (see {@link ToDeviceRepository#store}) and its position announced on the to-device stream for
 * the users it was for, which wakes their /sync. Now and then, what makes batches idempotent is
 * pruned: client transaction ids after a day (Synapse keeps them for 30 minutes), received
 * {@code message_id}s after a week (as Synapse).
 */
final class ToDeviceInbox {

    static final Duration CLIENT_TRANSACTIONS_KEPT = Duration.ofDays(1);
    static final Duration FEDERATION_MESSAGE_IDS_KEPT = Duration.ofDays(7);
    private static final long PRUNE_EVERY_MS = Duration.ofMinutes(10).toMillis();

    private final ToDeviceRepository repository;
    private final Streams streams;
    private final Clock clock;
    private final AtomicLong lastPruned;
    /** Told of each batch stored for local devices (application services); set once at start. */
    volatile java.util.function.Consumer<Batch> stored = batch -> { };

    ToDeviceInbox(ToDeviceRepository repository, Streams streams, Clock clock) {
        this.repository = repository;
        this.streams = streams;
        this.clock = clock;
        this.lastPruned = new AtomicLong(clock.millis() - PRUNE_EVERY_MS);
    }

    /** Stores {@code batch}, whose local messages are for {@code users}, and wakes their syncs. */
    Stored store(Batch batch, Collection<String> users) {
        Stored[] stored = new Stored[1];
        streams.write(StreamId.TO_DEVICE, users, () -> {
            stored[0] = repository.store(batch);
            return stored[0].lastPosition() > 0 ? OptionalLong.of(stored[0].lastPosition()) : OptionalLong.empty();
        });
        pruneWhenDue();
        if (stored[0].outcome() == ToDeviceRepository.Outcome.STORED && !batch.local().isEmpty()) {
            this.stored.accept(batch);
        }
        return stored[0];
    }

    /**
     * A message content as stored: JSON as UTF-8 text, where Jackson escapes an unpaired
     * surrogate instead of replacing it, so that every string arrives as it was sent.
     */
    static String text(ObjectNode content) {
        try {
            return new String(Json.MAPPER.writeValueAsBytes(content), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON object cannot be written", e);
        }
    }

    private void pruneWhenDue() {
        long now = clock.millis();
        long last = lastPruned.get();
        if (now - last >= PRUNE_EVERY_MS && lastPruned.compareAndSet(last, now)) {
            repository.prune(now - CLIENT_TRANSACTIONS_KEPT.toMillis(), now - FEDERATION_MESSAGE_IDS_KEPT.toMillis());
        }
    }
}
