package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.outbound.Edu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.keys.ServedKeys;
import org.myelin.server.http.Json;
import org.myelin.storage.keys.DeviceListOutboundRepository;
import org.myelin.storage.keys.DeviceListOutboundRepository.DeviceUpdate;
import org.myelin.storage.keys.DeviceListOutboundRepository.Published;
import org.myelin.storage.keys.DeviceListOutboundRepository.SentDevice;
import org.myelin.storage.keys.DeviceListOutboundRepository.Snapshot;
import org.myelin.storage.federation.OutboundQueueRepository.QueuedEdu;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Tells other servers of our users' device list changes (server-server API, "Device Management"):
 * after each committed change, the user's list is compared with the one last told, and each
 * device added, changed or deleted is an {@code m.device_list_update} EDU (its {@code stream_id}
 * and {@code prev_id} chaining the user's updates), a new master or self-signing key an
 * {@code m.signing_key_update}; both go to every server sharing a room with the user, through the
 * per-destination queue. Runs beside the request that made the change, not in it, one user at a time.
 *
 * <p>Nothing is lost to a crash: what was told and the EDUs telling it are committed together,
 * and a change committed but not yet told leaves its user marked in storage; {@link #catchUp}, on
 * start, tells every marked user (Synapse converts its unconverted device list changes on start).
 */
final class DeviceListPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceListPublisher.class);

    private final LocalServer local;
    private final ServedKeys keys;
    private final DeviceListOutboundRepository told;
    private final MembershipRepository memberships;
    private final Consumer<String> queued;
    private final Clock clock;
    /**
     * One user at a time: each publication holds a connection while it reads the user's keys
     * through another, so publications in parallel, one per change, could drain the pool.
     */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("device-list-publisher").factory());
    /** Users whose publication is submitted and not yet begun: many changes, one publication. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();

    /** @param queued told of each destination for which EDUs were queued (it sends them) */
    DeviceListPublisher(LocalServer local, ServedKeys keys, DeviceListOutboundRepository told,
                        MembershipRepository memberships, Consumer<String> queued, Clock clock) {
        this.local = local;
        this.keys = keys;
        this.told = told;
        this.memberships = memberships;
        this.queued = queued;
        this.clock = clock;
    }

    /** The device list of {@code userId} (one of ours) changed. */
    void changed(String userId) {
        if (waiting.add(userId)) {
            submit(() -> {
                waiting.remove(userId); // a change from now on is told again, after this
                publish(userId);
            });
        }
    }

    /** Tells other servers of every change committed before the last stop but not told then. */
    void catchUp() {
        submit(() -> {
            List<String> users = told.pendingUsers();
            if (!users.isEmpty()) {
                LOG.info("Telling other servers of {} device lists changed before the last stop", users.size());
            }
            users.forEach(this::changed);
        });
    }

    private void submit(Runnable work) {
        try {
            worker.submit(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    // Not lost: the user stays marked in storage, and the next start tells them.
                    LOG.warn("Telling other servers of a device list change failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: the next start tells them
        }
    }

    void publish(String userId) {
        Set<String> destinations = new LinkedHashSet<>();
        told.publish(userId, () -> snapshot(keys.deviceList(userId)), published -> {
            destinations.addAll(memberships.serversSharingARoomWith(userId));
            destinations.remove(local.serverName());
            return edus(userId, published, destinations);
        }, clock.millis());
        destinations.forEach(queued);
    }

    /** The EDUs telling each destination of what was published. */
    private static List<QueuedEdu> edus(String userId, Published published, Set<String> destinations) {
        List<Edu> edus = new ArrayList<>();
        for (DeviceUpdate update : published.devices()) {
            edus.add(new Edu("m.device_list_update", content(userId, update)));
        }
        if (published.signingKeysChanged()) {
            ObjectNode content = Json.MAPPER.createObjectNode().put("user_id", userId);
            if (published.masterKey() != null) {
                content.set("master_key", parse(published.masterKey()));
            }
            if (published.selfSigningKey() != null) {
                content.set("self_signing_key", parse(published.selfSigningKey()));
            }
            edus.add(new Edu("m.signing_key_update", content));
        }
        List<QueuedEdu> queue = new ArrayList<>();
        for (String destination : destinations) {
            for (Edu edu : edus) {
                queue.add(new QueuedEdu(destination, edu.type(), CanonicalJson.encode(edu.content())));
            }
        }
        return queue;
    }

    private static ObjectNode content(String userId, DeviceUpdate update) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("user_id", userId).put("device_id", update.deviceId())
                .put("stream_id", update.streamId());
        var prev = content.putArray("prev_id");
        if (update.prevId() != null) {
            prev.add(update.prevId());
        }
        content.put("deleted", update.deleted());
        if (!update.deleted()) {
            content.set("keys", parse(update.device().keysJson()));
            if (update.device().displayName() != null) {
                content.put("device_display_name", update.device().displayName());
            }
        }
        return content;
    }

    private static Snapshot snapshot(ServedKeys.DeviceList list) {
        Map<String, SentDevice> devices = new TreeMap<>();
        list.devices().forEach((id, d) -> devices.put(id, new SentDevice(CanonicalJson.encodeToString(d.keys()),
                d.displayName())));
        return new Snapshot(devices, list.masterKey() == null ? null : CanonicalJson.encodeToString(list.masterKey()),
                list.selfSigningKey() == null ? null : CanonicalJson.encodeToString(list.selfSigningKey()));
    }

    private static ObjectNode parse(String json) {
        return org.myelin.protocol.json.MatrixJson.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                org.myelin.protocol.json.MatrixJson.Numbers.LENIENT);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
