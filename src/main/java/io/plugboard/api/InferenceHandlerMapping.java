package io.plugboard.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * Finds the two inference endpoints ({@code POST /v1/models/{id}[/versions/{version}]/infer} and
 * {@code POST /v2/models/{name}[/versions/{version}]/infer}) by reading the path, ahead of Spring
 * MVC's general search, which matches every request against every mapping and was a tenth of a
 * small model's request time. It hands the same controller methods to the same adapter, with the
 * same path variables and pattern (the {@code uri} tag of {@code http.server.requests}), so
 * arguments, errors and metrics are exactly those of the annotated mapping.
 *
 * <p>Anything unusual (another method, an encoded or parameterised path, on {@code /v1} a media
 * type other than JSON or octet-stream or a specific {@code Accept}) is left to the annotated
 * mappings, which answer it as before (404, 405, 406, 415).
 */
public final class InferenceHandlerMapping extends AbstractHandlerMapping {

    private final HandlerMethod v1;
    private final HandlerMethod v2;

    public InferenceHandlerMapping(InferenceController v1, V2Controller v2) {
        this.v1 = new HandlerMethod(v1, method(InferenceController.class, Integer.class));
        this.v2 = new HandlerMethod(v2, method(V2Controller.class, String.class));
        setOrder(Ordered.HIGHEST_PRECEDENCE);
    }

    private static Method method(Class<?> type, Class<?> versionType) {
        try {
            return type.getMethod("infer", String.class, versionType, HttpServletRequest.class, HttpServletResponse.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Object getHandlerInternal(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return null;
        }
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (!uri.startsWith(context) || uri.indexOf('%') >= 0 || uri.indexOf(';') >= 0) {
            return null;
        }
        String path = uri.substring(context.length());
        // "/v1/models/{id}/infer" or "/v1/models/{id}/versions/{version}/infer" (and /v2)
        if (!path.endsWith("/infer") || path.length() < 18 || !path.startsWith("/models/", 3)
                || path.charAt(0) != '/' || path.charAt(1) != 'v') {
            return null;
        }
        HandlerMethod handler = switch (path.charAt(2)) {
            case '1' -> v1;
            case '2' -> v2;
            default -> null;
        };
        if (handler == null || handler == v1 && (!consumable(request.getContentType())
                || !acceptable(request.getHeader("Accept")))) {
            return null; // /v2, as Triton, takes any Content-Type and Accept
        }
        String[] segments = path.substring(11, path.length() - 6).split("/", -1);
        boolean v1Handler = handler == v1;
        String idName = v1Handler ? "id" : "name";
        Map<String, String> variables;
        String pattern;
        if (segments.length == 1 && !segments[0].isEmpty()) {
            variables = Map.of(idName, segments[0]);
            pattern = v1Handler ? InferenceController.INFER : V2Controller.INFER;
        } else if (segments.length == 3 && !segments[0].isEmpty() && "versions".equals(segments[1])
                && !segments[2].isEmpty()) {
            variables = Map.of(idName, segments[0], "version", segments[2]);
            pattern = v1Handler ? InferenceController.INFER_VERSION : V2Controller.INFER_VERSION;
        } else {
            return null;
        }
        request.setAttribute(BEST_MATCHING_HANDLER_ATTRIBUTE, handler);
        request.setAttribute(BEST_MATCHING_PATTERN_ATTRIBUTE, pattern);
        request.setAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE, variables);
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(c -> c.setPathPattern(pattern));
        return handler;
    }

    /** What the annotated mappings consume: JSON, octet-stream, or no type (taken as octet-stream). */
    private static boolean consumable(String contentType) {
        if (contentType == null) {
            return true;
        }
        String type = essence(contentType);
        return type.equalsIgnoreCase(MediaType.APPLICATION_JSON_VALUE)
                || type.equalsIgnoreCase(MediaType.APPLICATION_OCTET_STREAM_VALUE);
    }

    private static boolean acceptable(String accept) {
        return accept == null || accept.isBlank() || essence(accept).equals("*/*")
                || consumable(accept) && accept.indexOf(',') < 0;
    }

    private static String essence(String mediaType) {
        int semicolon = mediaType.indexOf(';');
        return (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon)).trim();
    }
}
