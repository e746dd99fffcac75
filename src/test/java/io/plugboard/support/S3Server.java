package io.plugboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3-compatible server in this JVM (S3Proxy over a folder): conditional creates are atomic
 * under racing writers. It can be stopped and started again on the same port, its objects kept,
 * to play a store that goes away and comes back. Replicas find its credentials the way the AWS
 * SDK's default chain does (system properties here).
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "plugboard-test";
    public static final String SECRET_KEY = "plugboard-test-secret";

    private final Path folder;
    private final int port;
    private S3Proxy proxy;

    private S3Server(Path folder, int port) {
        this.folder = folder;
        this.port = port;
    }

    /** Starts a server with one empty bucket named {@code bucket}. */
    public static S3Server start(String bucket) throws Exception {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        Path folder = Files.createTempDirectory("plugboard-s3");
        S3Server server = new S3Server(folder, freePort());
        server.resume();
        try (S3Client client = server.client()) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The folder holding the buckets' objects. */
    public Path folder() {
        return folder;
    }

    /** Starts (again) on the same port, with the same objects. */
    public synchronized void resume() throws Exception {
        if (proxy != null) {
            return;
        }
        S3Proxy started = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(folder.toString()))
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        started.start();
        for (int i = 0; i < 200 && !"STARTED".equals(started.getState()); i++) {
            Thread.sleep(25);
        }
        proxy = started;
    }

    /** Stops answering (connections are refused) until {@link #resume()}. */
    public synchronized void pause() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    /** A client of this server, as a replica would build one (path-style). */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @Override
    public void close() throws Exception {
        pause();
        try (var walk = Files.walk(folder)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
