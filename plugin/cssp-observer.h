/*
 * cssp-observer.h - a postdissector that feeds the verdict engine what the
 * dissectors themselves never see: TCP FIN and RST, TLS alerts, the ServerHello,
 * and application records Wireshark could not decrypt (their sizes and turns are
 * the engine's evidence when there is no key).
 */
#ifndef CSSP_PLUGIN_OBSERVER_H
#define CSSP_PLUGIN_OBSERVER_H

void cssp_observer_register(int proto);
void cssp_observer_handoff(void);

#endif
