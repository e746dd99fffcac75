package io.plugboard.inference;

/** What a pool reports as it works; metrics implement it. */
public interface PoolObserver {

    /**
     * A request refused: {@code reason} is the problem type's slug ({@code queue-full} at admission,
     * {@code timeout} for a caller that stopped waiting).
     */
    void rejected(String modelId, String reason);

    /** A request left the queue after {@code queuedNanos}. */
    void dequeued(String modelId, long queuedNanos);

    /** An instance ran {@code requests} requests holding {@code rows} rows in {@code busyNanos}. */
    void executed(String modelId, int requests, long rows, long busyNanos);

    /** Reports to {@code first}, then to {@code second}. */
    static PoolObserver both(PoolObserver first, PoolObserver second) {
        return new PoolObserver() {
            @Override
            public void rejected(String modelId, String reason) {
                first.rejected(modelId, reason);
                second.rejected(modelId, reason);
            }

            @Override
            public void dequeued(String modelId, long queuedNanos) {
                first.dequeued(modelId, queuedNanos);
                second.dequeued(modelId, queuedNanos);
            }

            @Override
            public void executed(String modelId, int requests, long rows, long busyNanos) {
                first.executed(modelId, requests, rows, busyNanos);
                second.executed(modelId, requests, rows, busyNanos);
            }
        };
    }

    PoolObserver NONE = new PoolObserver() {
        @Override
        public void rejected(String modelId, String reason) {
        }

        @Override
        public void dequeued(String modelId, long queuedNanos) {
        }

        @Override
        public void executed(String modelId, int requests, long rows, long busyNanos) {
        }
    };
}
