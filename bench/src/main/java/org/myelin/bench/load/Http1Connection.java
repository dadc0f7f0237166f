package org.myelin.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection on a blocking socket, used by one virtual thread at a time.
 *
 * <p>Why not the JDK's HttpClient: on a 2-core machine the load generator shares the CPU with the
 * server it measures, and the JDK client's asynchronous machinery cost about 2 ms of CPU per
 * message sent and delivered, as much as the server itself. A blocking socket on a virtual thread
 * costs a small fraction of that, leaving the CPU to the server under test.
 */
public final class Http1Connection implements AutoCloseable {

    public record Response(int status, byte[] body) {
    }

    private final String hostHeader;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public Http1Connection(String host, int port) throws IOException {
        this.hostHeader = host + ":" + port;
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(120_000);
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    public Response exchange(String method, String target, String token, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader).append("\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null) {
            out.write(headBytes);
        } else {
            byte[] all = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(body, 0, all, headBytes.length, body.length);
            out.write(all);
        }
        out.flush();
        return readResponse();
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(readLine().split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(readLine().split(";")[0].trim(), 16)) {
                buffer.write(in.readNBytes(size));
                readLine();
            }
            while (!readLine().isEmpty()) {
                // trailers
            }
            body = buffer.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new EOFException("connection closed inside a response body");
            }
        } else {
            body = in.readAllBytes();
            close = true;
        }
        if (close) {
            socket.close();
        }
        return new Response(status, body);
    }

    public boolean isOpen() {
        return !socket.isClosed();
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
