-- Dehydrated devices (MSC3814, "Dehydrated Devices with SSSS"): at most one per user, a device
-- with no access token whose keys other users claim and to which they send to-device messages as
-- to any device, until one of the user's clients rehydrates it and reads its messages.
-- device_data is the client's encrypted pickle, JSON text the server never reads. The row goes
-- with the device (deleting the device deletes it; replacing the dehydrated device deletes the
-- old device, and with it its keys and waiting messages).
CREATE TABLE dehydrated_devices (
    user_id      TEXT PRIMARY KEY,
    device_id    TEXT NOT NULL,
    device_data  TEXT NOT NULL,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
