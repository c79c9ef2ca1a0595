/**
 * Simulators: Gymnasium-exact environments stepped in lockstep over primitive arrays, and the seeded random
 * streams every command derives its episodes from, and the plugin interface for simulators of your own
 * ({@link org.batchq.env.EnvironmentProvider}). Depends only on {@code io}.
 */
package org.batchq.env;
