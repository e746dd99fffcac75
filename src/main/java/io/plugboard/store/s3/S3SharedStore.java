package io.plugboard.store.s3;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.SharedStore;
import io.plugboard.store.StagedFile;
import io.plugboard.store.StoredModelRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared store in an S3 bucket (AWS S3, MinIO or any S3-compatible server). Layout under the
 * prefix:
 * <pre>
 *   models/&lt;id&gt;/&lt;version&gt;.json            a version's record: it exists once this does
 *   files/&lt;id&gt;/&lt;origin&gt;/&lt;path&gt;             the files of one upload, written before its record
 * </pre>
 * A record is created with {@code If-None-Match: *}, so the store itself decides which of two
 * racing replicas gets a version. Credentials come from the AWS SDK's default chain. The only
 * class that touches the SDK.
 */
public final class S3SharedStore implements SharedStore {

    private static final Logger log = LoggerFactory.getLogger(S3SharedStore.class);

    /** Files above this size go up in parts. */
    static final long MULTIPART_THRESHOLD = 32L << 20;
    /** The smallest part; larger when a file would need more than {@link #MAX_PARTS} parts. */
    static final long PART_SIZE = 16L << 20;
    private static final int MAX_PARTS = 10_000;
    /** The most a record is read: far more than a model of 10,000 files needs. */
    static final int MAX_RECORD_BYTES = 16 << 20;
    /** Small requests (records, listings, deletes) give up after this long per attempt. */
    private static final Duration SMALL_REQUEST = Duration.ofSeconds(15);

    private static final Pattern RECORD_KEY = Pattern.compile("models/([a-z0-9][a-z0-9._-]{0,62})/([1-9][0-9]{0,8})\\.json");

    private final S3Location location;
    private final S3Client client;
    private final JsonMapper json;
    private final String records;
    private final String files;

    public S3SharedStore(S3Location location, JsonMapper json) {
        this(location, json, client(location));
    }

    S3SharedStore(S3Location location, JsonMapper json, S3Client client) {
        this.location = location;
        this.client = client;
        this.json = json;
        this.records = location.prefix() + "models/";
        this.files = location.prefix() + "files/";
    }

    private static S3Client client(S3Location location) {
        var builder = S3Client.builder()
                .region(Region.of(location.region()))
                .forcePathStyle(location.pathStyle())
                // files are checked against their SHA-256 on download; the SDK's own trailing
                // checksums are not understood by every S3-compatible server
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (location.endpoint() != null) {
            builder.endpointOverride(location.endpoint());
        }
        return builder.build();
    }

    @Override
    public String location() {
        return location.describe();
    }

    @Override
    public String newOrigin() {
        return UUID.randomUUID().toString();
    }

    @Override
    public void putFiles(String id, String origin, List<StagedFile> staged) {
        for (StagedFile file : staged) {
            String key = fileKey(id, origin, file.name());
            call("write " + key, () -> {
                if (file.sizeBytes() > MULTIPART_THRESHOLD) {
                    putInParts(key, file);
                } else {
                    client.putObject(PutObjectRequest.builder().bucket(location.bucket()).key(key)
                            .contentLength(file.sizeBytes()).build(), RequestBody.fromFile(file.path()));
                }
                return null;
            });
        }
    }

    private void putInParts(String key, StagedFile file) {
        long partSize = Math.max(PART_SIZE, (file.sizeBytes() + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = client.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(location.bucket()).key(key).build()).uploadId();
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < file.sizeBytes(); offset += partSize, number++) {
                long offsetOfPart = offset;
                long length = Math.min(partSize, file.sizeBytes() - offset);
                String etag = client.uploadPart(b -> b.bucket(location.bucket()).key(key).uploadId(uploadId)
                                .partNumber(parts.size() + 1).contentLength(length),
                        RequestBody.fromContentProvider(() -> {
                            try {
                                return new PartStream(file.path(), offsetOfPart, length);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }, length, "application/octet-stream")).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            client.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(location.bucket())
                    .key(key).uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
                    .build());
            completed = true;
        } finally {
            if (!completed) {
                try {
                    client.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(location.bucket())
                            .key(key).uploadId(uploadId).build());
                } catch (SdkException e) {
                    log.warn("Could not abort the multipart upload of {} (swept later): {}", key, e.getMessage());
                }
            }
        }
    }

    @Override
    public Optional<String> create(StoredModelRecord record) {
        byte[] body = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
        String key = recordKey(record.id(), record.version());
        for (int attempt = 1; ; attempt++) {
            try {
                String tag = call("create " + key, () -> client.putObject(PutObjectRequest.builder()
                        .bucket(location.bucket()).key(key).ifNoneMatch("*").contentType("application/json")
                        .overrideConfiguration(small()).build(), RequestBody.fromBytes(body)).eTag());
                return Optional.of(tag);
            } catch (ConditionFailed e) {
                if (e.status == 412) {
                    return Optional.empty();
                }
                // 409: another conditional write of this key was in flight; the store says to retry
                if (attempt == 5) {
                    return Optional.empty();
                }
                sleep(50L * attempt);
            }
        }
    }

    @Override
    public Map<RecordKey, String> records() {
        Map<RecordKey, String> found = new HashMap<>();
        for (S3Object object : list(records)) {
            Matcher m = RECORD_KEY.matcher(object.key().substring(location.prefix().length()));
            if (m.matches()) {
                found.put(new RecordKey(m.group(1), Integer.parseInt(m.group(2))), object.eTag());
            }
        }
        return found;
    }

    @Override
    public Map<Integer, String> records(String id) {
        Map<Integer, String> found = new HashMap<>();
        for (S3Object object : list(records + id + "/")) {
            Matcher m = RECORD_KEY.matcher(object.key().substring(location.prefix().length()));
            if (m.matches() && m.group(1).equals(id)) {
                found.put(Integer.parseInt(m.group(2)), object.eTag());
            }
        }
        return found;
    }

    @Override
    public Optional<StoredModelRecord> read(String id, int version) {
        String key = recordKey(id, version);
        byte[] bytes;
        try {
            bytes = call("read " + key, () -> {
                try (InputStream in = client.getObject(GetObjectRequest.builder().bucket(location.bucket()).key(key)
                        .overrideConfiguration(small()).build())) {
                    return in.readNBytes(MAX_RECORD_BYTES + 1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (Missing e) {
            return Optional.empty();
        }
        if (bytes.length > MAX_RECORD_BYTES) {
            log.error("Ignoring {}: larger than {} bytes, no model record is", key, MAX_RECORD_BYTES);
            return Optional.empty();
        }
        try {
            StoredModelRecord record = json.readValue(bytes, StoredModelRecord.class);
            if (!id.equals(record.id()) || record.version() != version || record.origin() == null) {
                log.error("Ignoring {}: it names {} version {}", key, record.id(), record.version());
                return Optional.empty();
            }
            return Optional.of(record);
        } catch (RuntimeException e) {
            log.error("Ignoring {}: not a model record ({})", key, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(String id, String origin, String path) {
        String key = fileKey(id, origin, path);
        try {
            return call("read " + key, () -> client.getObject(GetObjectRequest.builder().bucket(location.bucket())
                    .key(key).build()));
        } catch (Missing e) {
            throw new PlugboardException(ProblemType.STORE_UNAVAILABLE, "The shared store " + location()
                    + " has no file " + key + " although a record names it.", e);
        }
    }

    @Override
    public void deleteRecord(String id, int version) {
        delete(recordKey(id, version));
    }

    @Override
    public void deleteFiles(String id, String origin) {
        for (S3Object object : list(files + id + "/" + origin + "/")) {
            delete(object.key());
        }
    }

    @Override
    public int sweep(Instant before, Set<String> referenced) {
        int removed = 0;
        for (S3Object object : list(files)) {
            String rest = object.key().substring(files.length());
            String[] parts = rest.split("/", 3);
            if (parts.length == 3 && !referenced.contains(parts[1]) && object.lastModified().isBefore(before)) {
                delete(object.key());
                removed++;
            }
        }
        String keyMarker = null;
        String uploadIdMarker = null;
        do {
            String km = keyMarker;
            String um = uploadIdMarker;
            ListMultipartUploadsResponse page = call("list multipart uploads", () -> client.listMultipartUploads(
                    ListMultipartUploadsRequest.builder().bucket(location.bucket()).prefix(files)
                            .keyMarker(km).uploadIdMarker(um).overrideConfiguration(small()).build()));
            for (MultipartUpload upload : page.uploads()) {
                if (upload.initiated() != null && upload.initiated().isBefore(before)) {
                    call("abort " + upload.key(), () -> client.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                            .bucket(location.bucket()).key(upload.key()).uploadId(upload.uploadId()).build()));
                    removed++;
                }
            }
            boolean more = Boolean.TRUE.equals(page.isTruncated());
            keyMarker = more ? page.nextKeyMarker() : null;
            uploadIdMarker = more ? page.nextUploadIdMarker() : null;
        } while (keyMarker != null);
        return removed;
    }

    @Override
    public void close() {
        client.close();
    }

    private List<S3Object> list(String prefix) {
        return call("list " + prefix, () -> {
            List<S3Object> all = new ArrayList<>();
            client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(location.bucket()).prefix(prefix)
                    .overrideConfiguration(small()).build()).contents().forEach(all::add);
            return all;
        });
    }

    private void delete(String key) {
        call("delete " + key, () -> client.deleteObject(DeleteObjectRequest.builder().bucket(location.bucket())
                .key(key).overrideConfiguration(small()).build()));
    }

    private String recordKey(String id, int version) {
        return records + id + "/" + version + ".json";
    }

    private String fileKey(String id, String origin, String path) {
        return files + id + "/" + origin + "/" + path;
    }

    private static AwsRequestOverrideConfiguration small() {
        return AwsRequestOverrideConfiguration.builder().apiCallAttemptTimeout(SMALL_REQUEST).build();
    }

    /** A conditional write the store refused: 412 (the key exists) or 409 (a concurrent write). */
    private static final class ConditionFailed extends RuntimeException {
        final int status;

        ConditionFailed(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    /** The key does not exist. */
    private static final class Missing extends RuntimeException {
        Missing(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Runs one request; every failure but a missing key or a refused condition is {@code store-unavailable}. */
    private <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (NoSuchKeyException e) {
            throw new Missing(e);
        } catch (S3Exception e) {
            int status = e.statusCode();
            if (status == 412 || (status == 409 && what.startsWith("create "))) {
                throw new ConditionFailed(status);
            }
            if (status == 404 && what.startsWith("read ")) {
                throw new Missing(e);
            }
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            throw unavailable(what, "HTTP " + status + (code == null ? "" : " " + code), e);
        } catch (SdkException | UncheckedIOException e) {
            throw unavailable(what, String.valueOf(e.getMessage()), e);
        }
    }

    private PlugboardException unavailable(String what, String why, Exception cause) {
        log.debug("The shared model store {} could not {}: {}", location(), what, why);
        return new PlugboardException(ProblemType.STORE_UNAVAILABLE, "The shared model store is unavailable (" + why
                + "). Models already loaded keep serving; try again shortly.", cause);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
