package io.github.spiffeboot.it;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.IdentityHashMap;
import java.util.Map;

import javax.net.ssl.SSLSession;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import org.springframework.data.redis.connection.RedisConnection;

/**
 * The TLS session under a Lettuce connection, read from its Netty channel (Lettuce does not expose it, so
 * the test looks for the channel in the connection's fields). Test support only.
 */
final class LettuceTlsSessions {

    private LettuceTlsSessions() {
    }

    /** The certificate this side presented in the handshake of the connection's session. */
    static X509Certificate localCertificate(RedisConnection connection) {
        Certificate[] local = session(connection).getLocalCertificates();
        if (local == null || local.length == 0) {
            throw new IllegalStateException("the connection's TLS session presented no client certificate");
        }
        return (X509Certificate) local[0];
    }

    static SSLSession session(RedisConnection connection) {
        Channel channel = find(connection.getNativeConnection(), 0, new IdentityHashMap<>());
        if (channel == null) {
            throw new IllegalStateException("no Netty channel found under " + connection.getNativeConnection());
        }
        return channel.pipeline().get(SslHandler.class).engine().getSession();
    }

    private static Channel find(Object object, int depth, Map<Object, Boolean> seen) {
        if (object == null || depth > 6 || seen.put(object, Boolean.TRUE) != null) {
            return null;
        }
        if (object instanceof Channel channel) {
            return channel;
        }
        if (object.getClass().getName().startsWith("java.")) {
            return null;
        }
        for (Class<?> type = object.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getType().isPrimitive() || Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    Channel found = find(field.get(object), depth + 1, seen);
                    if (found != null) {
                        return found;
                    }
                }
                catch (RuntimeException | IllegalAccessException ex) {
                    // a field the module system keeps closed: not where Lettuce keeps its channel
                }
            }
        }
        return null;
    }
}
