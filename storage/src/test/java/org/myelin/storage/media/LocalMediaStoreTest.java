package org.myelin.storage.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMediaStoreTest {

    @TempDir
    Path root;

    @Test
    void storesContentUnderItsSha256AndGivesItBack() throws Exception {
        LocalMediaStore store = new LocalMediaStore(root);
        byte[] bytes = "hello media".getBytes(StandardCharsets.UTF_8);

        StoredContent stored = store.put(new ByteArrayInputStream(bytes), 1000);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertEquals(expected, stored.sha256().hex());
        assertEquals(bytes.length, stored.size());
        assertTrue(store.exists(stored.sha256()));
        assertArrayEquals(bytes, Files.readAllBytes(store.file(stored.sha256()).orElseThrow()));
        try (InputStream in = store.open(stored.sha256()).orElseThrow()) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        assertEquals(root.resolve("sha256").resolve(expected.substring(0, 2)).resolve(expected.substring(2, 4))
                .resolve(expected), store.file(stored.sha256()).orElseThrow());
    }

    @Test
    void theSameBytesTwiceAreOneFile() throws Exception {
        LocalMediaStore store = new LocalMediaStore(root);
        byte[] bytes = new byte[200_000];
        new java.util.Random(7).nextBytes(bytes);

        StoredContent first = store.put(new ByteArrayInputStream(bytes), bytes.length);
        StoredContent second = store.put(new ByteArrayInputStream(bytes), bytes.length);

        assertEquals(first, second);
        assertEquals(List.of(store.file(first.sha256()).orElseThrow()), blobs());
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void contentPastItsLimitLeavesNothing() throws Exception {
        LocalMediaStore store = new LocalMediaStore(root);
        byte[] bytes = new byte[100_001];

        assertThrows(ContentTooLargeException.class, () -> store.put(new ByteArrayInputStream(bytes), 100_000));

        assertEquals(List.of(), blobs());
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void aFailedReadLeavesNothing() throws Exception {
        LocalMediaStore store = new LocalMediaStore(root);
        InputStream broken = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 10_000) {
                    return 'x';
                }
                throw new IOException("connection reset");
            }
        };

        assertThrows(IOException.class, () -> store.put(broken, 1_000_000));

        assertEquals(List.of(), blobs());
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void unknownContentIsAbsent() throws Exception {
        LocalMediaStore store = new LocalMediaStore(root);
        Sha256 unknown = new Sha256("0".repeat(64));
        assertFalse(store.exists(unknown));
        assertTrue(store.file(unknown).isEmpty());
        assertTrue(store.open(unknown).isEmpty());
        store.delete(unknown); // nothing to delete is no error
    }

    @Test
    void deleteRemovesTheContent() throws Exception {
        LocalMediaStore store = new LocalMediaStore(root);
        StoredContent stored = store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10);
        store.delete(stored.sha256());
        assertFalse(store.exists(stored.sha256()));
    }

    @Test
    void anUploadLeftUnfinishedByACrashIsDeletedAtStart() throws Exception {
        new LocalMediaStore(root);
        Files.writeString(root.resolve("tmp").resolve("upload-1.part"), "half of it");

        new LocalMediaStore(root);

        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void aHashNamesNothingOutsideTheStore() {
        assertThrows(IllegalArgumentException.class, () -> new Sha256("../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> new Sha256("A".repeat(64)));
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("sha256"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.toList();
        }
    }
}
