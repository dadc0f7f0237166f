package org.myelin.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * One HTTP/1.1 connection written byte by byte, for what {@link java.net.http.HttpClient}
 * will not do: send a request's head and only part of its body, send slowly, or read the
 * answer while the body is still unsent. Reads give up after {@code readTimeout}, so a server
 * that never answers fails the test instead of hanging it.
 */
public final class RawHttpConnection implements AutoCloseable {

    /** A response as read from the wire. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawHttpConnection(Socket socket, Duration readTimeout) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) readTimeout.toMillis());
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Plain HTTP to 127.0.0.1:{@code port}. */
    public static RawHttpConnection open(int port, Duration readTimeout) {
        try {
            return new RawHttpConnection(new Socket("127.0.0.1", port), readTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTPS to 127.0.0.1:{@code port}, trusting what {@code tls} trusts. */
    public static RawHttpConnection openTls(int port, SSLContext tls, Duration readTimeout) {
        try {
            return new RawHttpConnection(tls.getSocketFactory().createSocket("127.0.0.1", port), readTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a request head: the request line, {@code headers} and the empty line. */
    public RawHttpConnection head(String method, String target, Map<String, String> headers) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        return write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpConnection write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttpConnection write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one chunk of a chunked body. */
    public RawHttpConnection chunk(byte[] bytes) {
        write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        write(bytes);
        return write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads one response: its status line, headers and a body of its Content-Length. */
    public Response read() {
        try {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            return new Response(Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server has closed the connection: the next read finds its end. */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection closed after " + line.size() + " bytes of a line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test connection
        }
    }
}
