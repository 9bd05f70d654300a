/**
 * libsodium, initialised once. Its WebAssembly module loads asynchronously; awaiting it here, at
 * module load, lets every function of the secret manager stay synchronous.
 */
import libsodium from 'libsodium-wrappers';

await libsodium.ready;

/** The ready libsodium instance. */
export const sodium = libsodium;
