package io.plugboard.store;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link SharedStore#none()}: the filesystem store, where the local store is the only one. */
final class NoSharedStore implements SharedStore {

    static final NoSharedStore INSTANCE = new NoSharedStore();

    private NoSharedStore() {
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String location() {
        return "none";
    }

    @Override
    public String newOrigin() {
        return null;
    }

    @Override
    public void putFiles(String id, String origin, List<StagedFile> files) {
    }

    @Override
    public Optional<String> create(StoredModelRecord record) {
        return Optional.of("");
    }

    @Override
    public Map<RecordKey, String> records() {
        return Map.of();
    }

    @Override
    public Map<Integer, String> records(String id) {
        return Map.of();
    }

    @Override
    public Optional<StoredModelRecord> read(String id, int version) {
        return Optional.empty();
    }

    @Override
    public InputStream open(String id, String origin, String path) {
        throw new IllegalStateException("No shared store");
    }

    @Override
    public void deleteRecord(String id, int version) {
    }

    @Override
    public void deleteFiles(String id, String origin) {
    }

    @Override
    public int sweep(Instant before, Set<String> referenced) {
        return 0;
    }

    @Override
    public void close() {
    }
}
