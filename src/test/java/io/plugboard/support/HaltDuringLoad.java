package io.plugboard.support;

import io.plugboard.backend.Backend;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.Target;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.format.ModelFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;

/**
 * A test-only crash, for a server started with {@code --spring.main.sources=} this class: ONNX
 * Runtime loads a model whose file is named {@value #FILE} and the process then dies on the spot
 * ({@code Runtime.halt}, no shutdown hook runs), as a native crash inside the engine would kill it.
 * Not a {@code @Configuration}: component scanning of the test class path must not pick it up.
 */
public class HaltDuringLoad {

    public static final String FILE = "halt-during-load.onnx";
    public static final int EXIT = 134;

    @Bean
    static BeanPostProcessor haltingOnnxBackend() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof OnnxBackend onnx ? new Halting(onnx) : bean;
            }
        };
    }

    private record Halting(Backend delegate) implements Backend {

        @Override
        public LoadedModel load(ModelSource source, Target target) {
            LoadedModel loaded = delegate.load(source, target);
            if (source.mainPath().getFileName().toString().equals(FILE)) {
                Runtime.getRuntime().halt(EXIT);
            }
            return loaded;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Set<ModelFormat> formats() {
            return delegate.formats();
        }

        @Override
        public Optional<String> unavailableReason() {
            return delegate.unavailableReason();
        }

        @Override
        public List<Target> targets() {
            return delegate.targets();
        }

        @Override
        public List<Target> knownTargets() {
            return delegate.knownTargets();
        }

        @Override
        public void warmUp() {
            delegate.warmUp();
        }

        @Override
        public Map<String, String> unavailableTargets() {
            return delegate.unavailableTargets();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
