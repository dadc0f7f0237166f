package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.keys.KeyUploads;
import org.myelin.server.http.MatrixException;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.accounts.DehydratedDeviceRepository;
import org.myelin.storage.accounts.DehydratedDeviceRepository.DehydratedDevice;
import org.myelin.storage.accounts.DehydratedDeviceRepository.Replacement;
import org.myelin.storage.streams.ToDeviceRepository;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dehydrated devices (MSC3814): each user may keep one device that no client is logged in on,
 * whose private keys the client stored encrypted in {@code device_data}. To everyone else it is a
 * device like any other: its keys are queried and claimed, to-device messages are sent to it, here
 * and over federation. When the user signs in again, a client reads {@code device_data}, rehydrates
 * the device and pages through its to-device messages to recover the room keys sent to it.
 *
 * <p>As MSC3814 asks and Synapse does, paging does not delete the messages: a rehydration that
 * fails halfway can start again. They go when the device goes (replaced or deleted).
 */
public final class DehydratedDevices {

    /** The most messages one page of {@code /events} holds, whatever the client asks. */
    static final int MAX_PAGE = 1000;

    /**
     * A page of the dehydrated device's to-device messages.
     *
     * @param next    the position the next page starts after
     * @param limited whether messages may remain past {@code next}
     */
    record Page(List<ToDeviceRepository.Message> messages, long next, boolean limited) {
    }

    /**
     * One replacement of a user's dehydrated device at a time: two at once let the second delete
     * the first's new device between its creation and the storing of its keys (a 500, then).
     */
    private static final int LOCK_STRIPES = 64;

    private final ReentrantLock[] replacing = new ReentrantLock[LOCK_STRIPES];
    private final AccountServices accounts;
    private final DehydratedDeviceRepository devices;
    private final KeyUploads keys;
    private final ToDeviceRepository toDevice;
    private final Streams streams;

    public DehydratedDevices(AccountServices accounts, KeyUploads keys, ToDeviceRepository toDevice, Streams streams) {
        this.accounts = accounts;
        this.devices = accounts.dehydratedDevices;
        this.keys = keys;
        this.toDevice = toDevice;
        this.streams = streams;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            replacing[i] = new ReentrantLock();
        }
    }

    Optional<DehydratedDevice> find(String userId) {
        return devices.find(userId);
    }

    /**
     * Makes a new dehydrated device of {@code userId} with the keys {@code body} uploads for it
     * (checked as {@code POST /keys/upload} checks them, before anything changes), replacing the
     * previous one, whose keys and messages go with it. 400 M_INVALID_PARAM when another device of
     * the user has the id.
     */
    String replace(String userId, String deviceId, String displayName, String deviceData, ObjectNode body) {
        KeyUploads.Upload upload = keys.check(userId, deviceId, body);
        ReentrantLock lock = replacing[Math.floorMod(userId.hashCode(), LOCK_STRIPES)];
        lock.lock();
        try {
            return replaceChecked(userId, deviceId, displayName, deviceData, upload);
        } finally {
            lock.unlock();
        }
    }

    private String replaceChecked(String userId, String deviceId, String displayName, String deviceData,
                                  KeyUploads.Upload upload) {
        Replacement replacement = devices.replace(userId, deviceId, displayName, deviceData);
        switch (replacement) {
            case Replacement.DeviceIdInUse inUse ->
                    throw MatrixException.invalidParam("Device ID " + deviceId + " is in use by another device");
            case Replacement.Stored(String previous) when previous != null ->
                    accounts.devicesDeleted(userId, List.of(previous));
            case Replacement.Stored stored -> {
            }
        }
        keys.store(upload);
        return deviceId;
    }

    /** Deletes the user's dehydrated device; its id. 404 M_NOT_FOUND when there is none. */
    String delete(String userId) {
        String deleted = devices.delete(userId)
                .orElseThrow(() -> MatrixException.notFound("No dehydrated device available"));
        accounts.devicesDeleted(userId, List.of(deleted));
        return deleted;
    }

    /**
     * Up to {@code limit} of the to-device messages of the user's dehydrated device {@code deviceId}
     * after position {@code after}, as Synapse pages them: the next page starts after the last
     * message of a full page, else after the to-device stream's current position. 403 M_FORBIDDEN
     * unless {@code deviceId} is the user's dehydrated device.
     */
    Page page(String userId, String deviceId, long after, int limit) {
        DehydratedDevice device = devices.find(userId)
                .orElseThrow(() -> MatrixException.forbidden("No dehydrated device exists"));
        if (!device.deviceId().equals(deviceId)) {
            throw MatrixException.forbidden("You may only fetch messages for your dehydrated device");
        }
        long upTo = streams.current().position(StreamId.TO_DEVICE);
        int size = Math.min(limit, MAX_PAGE);
        List<ToDeviceRepository.Message> messages = toDevice.pending(userId, deviceId, after, upTo, size);
        long next = messages.size() == size ? messages.getLast().position() : upTo;
        return new Page(messages, next, next != upTo);
    }
}
