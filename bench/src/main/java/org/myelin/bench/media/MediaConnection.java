package org.myelin.bench.media;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One keep-alive HTTP/1.1 connection on a blocking socket, for bodies too large to hold: a
 * download is read through one 64 KiB buffer and dropped (or digested), an upload is written
 * from one buffer repeated. So the client holds no body in memory, whichever server it talks
 * to, and the heap benchmark's figures are the server's own; and it costs the same against
 * Myelin as against the static server it is compared with.
 */
final class MediaConnection implements AutoCloseable {

    /** A download: status, bytes of body read, and how long from request to last byte. */
    record Download(int status, long bytes, long nanos) {
        /** MiB per second. */
        double mibPerSecond() {
            return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
        }
    }

    /** A response read whole: small JSON answers. */
    record Answer(int status, String body) {}

    private static final int BUFFER = 64 * 1024;

    private final String hostHeader;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER];
    private boolean closeAfter;

    MediaConnection(int port) throws IOException {
        this.hostHeader = "127.0.0.1:" + port;
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(300_000);
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    /** GET {@code target}; the body is read and dropped, or fed to {@code digest} when not null. */
    Download download(String target, String token, MessageDigest digest) throws IOException {
        long start = System.nanoTime();
        writeHead("GET", target, token, null, -1);
        out.flush();
        Head head = readHead();
        long left = head.length;
        long read = 0;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a response body");
            }
            if (digest != null) {
                digest.update(buffer, 0, n);
            }
            left -= n;
            read += n;
        }
        long nanos = System.nanoTime() - start;
        closeIfAsked(head);
        return new Download(head.status, read, nanos);
    }

    /**
     * POST {@code target} with a body of {@code length} bytes: {@code pattern} written again and
     * again (its start for the last piece), as the body streams from a client reading a file.
     */
    Answer upload(String target, String token, String contentType, long length, byte[] pattern) throws IOException {
        return upload(target, token, contentType, length, pattern, new AtomicLong());
    }

    /** As {@link #upload(String, String, String, long, byte[])}, adding the bytes written to {@code written} as they go. */
    Answer upload(String target, String token, String contentType, long length, byte[] pattern, AtomicLong written)
            throws IOException {
        writeHead("POST", target, token, contentType, length);
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(pattern.length, left);
            out.write(pattern, 0, n);
            written.addAndGet(n);
            left -= n;
        }
        out.flush();
        Head head = readHead();
        byte[] body = in.readNBytes((int) head.length);
        closeIfAsked(head);
        return new Answer(head.status, new String(body, StandardCharsets.UTF_8));
    }

    boolean isOpen() {
        return !socket.isClosed() && !closeAfter;
    }

    private void writeHead(String method, String target, String token, String contentType, long length)
            throws IOException {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target)
                .append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    private record Head(int status, long length, boolean close) {}

    private Head readHead() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean close = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                throw new IOException("unexpected Transfer-Encoding " + value + ": both servers send a length");
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        if (length < 0) {
            throw new IOException("response " + status + " without Content-Length");
        }
        return new Head(status, length, close);
    }

    private void closeIfAsked(Head head) throws IOException {
        if (head.close) {
            closeAfter = true;
            socket.close();
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
