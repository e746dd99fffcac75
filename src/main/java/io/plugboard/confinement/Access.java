package io.plugboard.confinement;

/** What a confined process may do under one path. */
public enum Access {
    /** List folders, never read a file (the working folder: the JVM opens it to return to it). */
    LIST,
    /** Read files and list folders. */
    READ,
    /** Read, and run programs (the JDK, the dynamic loader, {@code ldconfig}). */
    READ_EXECUTE,
    /** Read, create, write, rename and delete files and folders; never run them. */
    READ_WRITE,
    /** Device files ({@code /dev}): read, write and device ioctls (GPUs), nothing created. */
    DEVICES
}
