package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.inbound.InboundEdus;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.id.UserId;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.rooms.LocalServer;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.keys.RemoteDeviceListRepository;
import org.myelin.storage.keys.RemoteDeviceListRepository.CachedList;
import org.myelin.storage.keys.RemoteDeviceListRepository.Outcome;
import org.myelin.storage.keys.RemoteDeviceListRepository.RemoteDevice;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.MembershipRepository.Membership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The device lists of remote users we share a room with (server-server API, "Device Management"):
 * {@code m.device_list_update} EDUs are applied in their {@code prev_id} order; an update whose
 * {@code prev_id} we have not seen, or one for a user we do not cache yet, makes us fetch the whole
 * list ({@code GET /user/devices/{userId}}, a resync), as Synapse's DeviceListUpdater does.
 * {@code m.signing_key_update} replaces the cached cross-signing keys. Each change is a device list
 * change for our users' /sync. The cache is dropped once we share no room with the user.
 */
final class RemoteDeviceLists implements InboundEdus.DeviceLists, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteDeviceLists.class);

    /** A cached list as /keys/query gives it. */
    record Answer(Map<String, ObjectNode> devices, ObjectNode masterKey, ObjectNode selfSigningKey) {
    }

    private final RemoteDeviceListRepository repository;
    private final LocalServer local;
    private final MembershipRepository memberships;
    private final Streams streams;
    private final FederationClient client;
    private final Clock clock;
    private final ExecutorService resyncs = Executors.newVirtualThreadPerTaskExecutor();
    /** Drops the lists of users we stopped sharing a room with, in commit order, off the persister's thread. */
    private final ExecutorService unsharing = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("remote-device-lists-unshared").factory());
    /** Users being resynced; true when another resync was asked for meanwhile. */
    private final Map<String, Boolean> resyncing = new ConcurrentHashMap<>();

    RemoteDeviceLists(RemoteDeviceListRepository repository, LocalServer local, MembershipRepository memberships,
                      Streams streams, FederationClient client, Clock clock) {
        this.repository = repository;
        this.local = local;
        this.memberships = memberships;
        this.streams = streams;
        this.client = client;
        this.clock = clock;
    }

    // ---- inbound EDUs (the dispatcher checked that the user is the origin's) ----

    @Override
    public void deviceListUpdate(String origin, InboundEdus.DeviceListUpdate u) {
        if (!sharesARoom(u.userId())) {
            repository.forget(u.userId());
            return;
        }
        String keys = u.deleted() || u.keys() == null ? null : CanonicalJson.encodeToString(u.keys());
        if (!u.deleted() && keys == null) {
            LOG.info("Skipping a device list update from {} for {} without keys", origin, u.userId());
            return;
        }
        Outcome[] outcome = new Outcome[1];
        announce(u.userId(), () -> {
            long[] position = {-1};
            outcome[0] = repository.apply(u.userId(), u.deviceId(), u.streamId(), u.prevIds(), keys, u.displayName(),
                    p -> position[0] = p);
            return position[0] < 0 ? OptionalLong.empty() : OptionalLong.of(position[0]);
        });
        if (outcome[0] != Outcome.APPLIED) {
            LOG.debug("Device list of {}: {}, resyncing", u.userId(), outcome[0]);
            resync(u.userId());
        }
    }

    @Override
    public void signingKeyUpdate(String origin, InboundEdus.SigningKeyUpdate u) {
        if (!sharesARoom(u.userId())) {
            repository.forget(u.userId());
            return;
        }
        String master = u.masterKey() == null ? null : CanonicalJson.encodeToString(u.masterKey());
        String selfSigning = u.selfSigningKey() == null ? null : CanonicalJson.encodeToString(u.selfSigningKey());
        OptionalLong position = announce(u.userId(), () -> repository.signingKeys(u.userId(), master, selfSigning));
        if (position.isEmpty()) {
            resync(u.userId());
        }
    }

    // ---- rooms no longer shared ----

    /**
     * The persister's commit listener: a remote user who stopped being joined, and every remote
     * member of a room one of our users stopped being joined to, may share no room with us any
     * more (Synapse's {@code _handle_potentially_left_users}); their lists are checked and dropped
     * off this thread, where nothing may block.
     */
    void committed(List<PersistedEvent> batch) {
        List<Pdu> leaves = new ArrayList<>();
        for (PersistedEvent e : batch) {
            Pdu pdu = e.pdu();
            if (e.visible() && !e.alreadyKnown() && "m.room.member".equals(pdu.type()) && pdu.stateKey() != null
                    && !"join".equals(pdu.membership())) {
                leaves.add(pdu);
            }
        }
        if (!leaves.isEmpty()) {
            submitUnshared(() -> {
                Set<String> candidates = new LinkedHashSet<>();
                for (Pdu leave : leaves) {
                    if (!local.isLocalUser(leave.stateKey())) {
                        candidates.add(leave.stateKey());
                    } else {
                        memberships.members(leave.roomId(), "join").stream().map(Membership::userId)
                                .filter(u -> !local.isLocalUser(u)).forEach(candidates::add);
                    }
                }
                return candidates;
            });
        }
    }

    /** Drops every cached list we share no room for: rooms left while the process was down. */
    void forgetUnshared() {
        submitUnshared(() -> null);
    }

    /** Drops the lists of those of the users given (all when null) we share no room with. */
    private void submitUnshared(Supplier<Collection<String>> candidates) {
        try {
            unsharing.submit(() -> {
                try {
                    List<String> forgotten = repository.forgetUnshared(candidates.get(), local.serverName());
                    if (!forgotten.isEmpty()) {
                        LOG.debug("No longer tracking the device lists of {}: no room shared", forgotten);
                    }
                } catch (RuntimeException e) {
                    // Not lost: a list found unshared when read is dropped then.
                    LOG.warn("Dropping the device lists of users we no longer share a room with failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: the next start sweeps
        }
    }

    // ---- the cache, for /keys/query ----

    /**
     * The cached lists of those of {@code devicesByUser} we cache and still share a room with, each
     * restricted to the devices asked for (an empty list: all).
     */
    Map<String, Answer> answer(Map<String, List<String>> devicesByUser) {
        Map<String, Answer> found = new TreeMap<>();
        repository.cached(devicesByUser.keySet()).forEach((user, list) -> {
            if (!sharesARoom(user)) {
                repository.forget(user);
                return;
            }
            List<String> wanted = devicesByUser.get(user);
            Map<String, ObjectNode> devices = new TreeMap<>();
            for (RemoteDevice d : list.devices()) {
                if (wanted.isEmpty() || wanted.contains(d.deviceId())) {
                    ObjectNode keys = parse(d.keysJson());
                    if (d.displayName() != null) {
                        JsonNode unsigned = keys.get("unsigned");
                        (unsigned instanceof ObjectNode o ? o : keys.putObject("unsigned"))
                                .put("device_display_name", d.displayName());
                    }
                    devices.put(d.deviceId(), keys);
                }
            }
            found.put(user, new Answer(devices, object(list.masterKey()), object(list.selfSigningKey())));
        });
        return found;
    }

    // ---- resync ----

    /** Fetches the user's whole device list from their server, in the background, once at a time per user. */
    void resync(String userId) {
        if (resyncing.putIfAbsent(userId, false) != null) {
            resyncing.put(userId, true);
            return;
        }
        resyncs.submit(() -> {
            try {
                do {
                    resyncing.put(userId, false);
                    fetch(userId);
                } while (resyncing.get(userId));
            } catch (Exception e) {
                LOG.info("Resyncing the device list of {} failed: {}", userId, e.toString());
            } finally {
                resyncing.remove(userId);
            }
        });
    }

    private void fetch(String userId) throws Exception {
        String server = UserId.parse(userId).server().value();
        JsonNode answer = client.get(server, "/_matrix/federation/v1/user/devices/" + FederationClient.encode(userId));
        if (!userId.equals(answer.path("user_id").asText(null)) || !answer.path("stream_id").canConvertToLong()) {
            LOG.info("{} answered the devices of {} with another user or no stream_id", server, userId);
            return;
        }
        List<RemoteDevice> devices = new ArrayList<>();
        for (JsonNode d : answer.path("devices")) {
            String deviceId = d.path("device_id").asText(null);
            JsonNode keys = d.get("keys");
            if (deviceId == null || !(keys instanceof ObjectNode k) || !userId.equals(k.path("user_id").asText(null))
                    || !deviceId.equals(k.path("device_id").asText(null))) {
                continue; // keys that are not this device's are no keys of it
            }
            devices.add(new RemoteDevice(deviceId, CanonicalJson.encodeToString(k),
                    d.path("device_display_name").isTextual() ? d.get("device_display_name").textValue() : null));
        }
        CachedList list = new CachedList(userId, answer.get("stream_id").asLong(), devices,
                ownKey(answer.get("master_key"), userId), ownKey(answer.get("self_signing_key"), userId));
        if (!sharesARoom(userId)) {
            return; // the last shared room went while we asked: nothing to track
        }
        announce(userId, () -> OptionalLong.of(repository.replace(list, clock.millis())));
    }

    private static String ownKey(JsonNode key, String userId) {
        return key instanceof ObjectNode o && userId.equals(o.path("user_id").asText(null))
                ? CanonicalJson.encodeToString(o) : null;
    }

    /** Whether the user is joined to a room one of our users is joined to: only then are we told of changes. */
    private boolean sharesARoom(String userId) {
        return memberships.sharesARoomWithServer(userId, local.serverName());
    }

    /** Commits a change of the user's list and wakes the /sync of everyone sharing a room with them. */
    private OptionalLong announce(String userId, Supplier<OptionalLong> commit) {
        List<String> keys = new ArrayList<>();
        keys.add(userId);
        memberships.roomsOf(userId, "join").forEach(m -> keys.add(m.roomId()));
        return streams.write(StreamId.DEVICE_LISTS, keys, commit);
    }

    private static ObjectNode object(String json) {
        return json == null ? null : parse(json);
    }

    private static ObjectNode parse(String json) {
        return MatrixJson.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
    }

    /** The users being resynced now (for tests that wait for one to end). */
    Set<String> resyncing() {
        return resyncing.keySet();
    }

    @Override
    public void close() {
        resyncs.shutdownNow();
        unsharing.shutdownNow();
    }
}
