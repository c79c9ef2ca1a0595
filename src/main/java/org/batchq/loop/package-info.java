/** The {@code run} command's orchestration: rounds of collect, fit and evaluate, with plots and a run manifest. */
package org.batchq.loop;
