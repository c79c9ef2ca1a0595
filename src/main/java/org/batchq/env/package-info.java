/**
 * Simulators: Gymnasium-exact environments stepped in lockstep over primitive arrays, and the seeded random
 * streams every command derives its episodes from. Depends on nothing else in batchq.
 */
package org.batchq.env;
