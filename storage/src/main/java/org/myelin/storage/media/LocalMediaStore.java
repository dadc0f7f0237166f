package org.myelin.storage.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MediaStore} in a directory of this machine ({@code data_dir/media} by default):
 * {@code sha256/ab/cd/abcd…} holds the content whose SHA-256 is {@code abcd…} (two levels of
 * 256 directories each, so that no directory grows past a few thousand entries), and
 * {@code tmp/} the uploads being written.
 *
 * <p>An upload is written to a file of its own in {@code tmp/}, hashed as it is written, forced
 * to disk, and then renamed to its hash's name in one atomic step (with its directory forced
 * too): a reader sees the whole content or nothing, and a crash leaves at most a file in
 * {@code tmp/}, which the next start deletes. Two uploads of the same bytes at once both rename
 * to the same name, with the same content: either wins.
 */
public final class LocalMediaStore implements MediaStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalMediaStore.class);
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path blobs;
    private final Path tmp;

    /**
     * Opens (creating it if needed) the store in {@code root}, deleting uploads a previous run left
     * unfinished: one process owns the directory.
     */
    public LocalMediaStore(Path root) throws IOException {
        this.blobs = root.resolve("sha256");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        try (Stream<Path> left = Files.list(tmp)) {
            left.forEach(LocalMediaStore::deleteQuietly);
        }
    }

    @Override
    public StoredContent put(InputStream content, long maxBytes) throws IOException {
        Path upload = Files.createTempFile(tmp, "upload-", ".part");
        try {
            StoredContent stored = write(content, maxBytes, upload);
            Path target = path(stored.sha256());
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                Files.delete(upload); // the same bytes are stored already
            } else {
                moveAtomically(upload, target);
                forceDirectory(target.getParent());
            }
            return stored;
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(upload);
            throw e;
        }
    }

    private static StoredContent write(InputStream content, long maxBytes, Path file) throws IOException {
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[BUFFER_BYTES];
        long size = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int n; (n = content.read(buffer)) != -1; ) {
                size += n;
                if (size > maxBytes) {
                    throw new ContentTooLargeException(maxBytes);
                }
                sha256.update(buffer, 0, n);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            out.force(true);
        }
        return new StoredContent(Sha256.of(sha256.digest()), size);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.delete(from); // a concurrent upload of the same bytes was first
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the media store's tmp/ and sha256/ must be on one file system", e);
        }
    }

    /** Makes a rename durable: the directory entry is on disk, not only the file's bytes. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory; the rename is then as durable as they make it.
            LOG.debug("Cannot force directory {}: {}", dir, e.toString());
        }
    }

    @Override
    public Optional<Path> file(Sha256 sha256) {
        Path path = path(sha256);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    @Override
    public Optional<InputStream> open(Sha256 sha256) throws IOException {
        try {
            return Optional.of(Files.newInputStream(path(sha256)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean exists(Sha256 sha256) {
        return Files.isRegularFile(path(sha256));
    }

    @Override
    public void delete(Sha256 sha256) throws IOException {
        Files.deleteIfExists(path(sha256));
    }

    private Path path(Sha256 sha256) {
        String hex = sha256.hex();
        return blobs.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete unfinished upload {}: {}", file, e.toString());
        }
    }
}
