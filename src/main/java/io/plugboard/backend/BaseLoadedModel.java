package io.plugboard.backend;

/** What every loaded model holds besides its engine handle: its signature and the target it runs on. */
public abstract class BaseLoadedModel implements LoadedModel {

    private final ModelSignature signature;
    private final Target target;

    protected BaseLoadedModel(ModelSignature signature, Target target) {
        this.signature = signature;
        this.target = target;
    }

    @Override
    public final ModelSignature signature() {
        return signature;
    }

    @Override
    public final Target target() {
        return target;
    }
}
