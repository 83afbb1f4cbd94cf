package io.shardwise.testkit.internal;

/** The one address every emulator listens on. */
public final class Loopback {

    /** IPv4 loopback, as a literal so that no resolver (and no IPv6 {@code localhost}) is involved. */
    public static final String HOST = "127.0.0.1";

    private Loopback() {}
}
