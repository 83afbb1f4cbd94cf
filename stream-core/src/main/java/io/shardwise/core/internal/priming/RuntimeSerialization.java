package io.shardwise.core.internal.priming;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The Lambda Java runtime's own JSON (de)serialization of events and responses, when it is on the class path (it is
 * in the Lambda runtime and in {@code aws-lambda-java-runtime-interface-client}; the library does not depend on
 * it): priming reads its synthetic event and writes its response with it, as the runtime does for a real
 * invocation, so its Jackson mix-ins and serializers are loaded before the first one. Reached by reflection for
 * that reason; absent, each method says so and priming builds the event itself.
 *
 * @see <a href="https://github.com/aws/aws-lambda-java-libs/tree/main/aws-lambda-java-serialization">
 *      aws-lambda-java-serialization</a>
 */
public final class RuntimeSerialization {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeSerialization.class);
    private static final String EVENT_SERIALIZERS =
            "com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers";
    private static final String POJO_FACTORY =
            "com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory";
    private static final String POJO_SERIALIZER = "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer";

    private RuntimeSerialization() {
    }

    /**
     * Reads {@code json} as the runtime reads a {@code type} event.
     *
     * @return the event, or null when the runtime's serialization is not on the class path or fails
     */
    public static <E> E eventFromJson(Class<E> type, String json) {
        try {
            ClassLoader loader = type.getClassLoader();
            Class<?> serializers = Class.forName(EVENT_SERIALIZERS, true, loader);
            Object serializer = serializers.getMethod("serializerFor", Class.class, ClassLoader.class)
                    .invoke(null, type, loader);
            Method fromJson = Class.forName(POJO_SERIALIZER, true, loader).getMethod("fromJson", String.class);
            return type.cast(fromJson.invoke(serializer, json));
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("The runtime's event serializer did not read the priming event: {}", unwrap(e).toString());
            return null;
        }
    }

    /**
     * Writes {@code response} as the runtime writes a handler's POJO result (and discards the bytes).
     *
     * @return whether the runtime's serialization was there and wrote it
     */
    public static boolean writeResponse(Object response) {
        try {
            ClassLoader loader = response.getClass().getClassLoader();
            Class<?> factory = Class.forName(POJO_FACTORY, true, loader);
            Object instance = factory.getMethod("getInstance").invoke(null);
            Object serializer = factory.getMethod("getSerializer", Class.class).invoke(instance, response.getClass());
            Class.forName(POJO_SERIALIZER, true, loader).getMethod("toJson", Object.class, OutputStream.class)
                    .invoke(serializer, response, OutputStream.nullOutputStream());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("The runtime's serializer did not write the priming response: {}", unwrap(e).toString());
            return false;
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
    }
}
