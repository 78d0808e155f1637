/**
 * The services whose certificates ovnctl manages over their lifecycle: where each runs (its
 * inventory groups), which bundled playbook installs it and which regen flag reissues it. Which
 * files a service has on a host is not listed here: certificates-list.yml reads it from the
 * service role's own defaults and pki_install entries (the `role` named here), the same data the
 * install playbook uses.
 */
import { basename } from 'node:path';
import type { Inventory } from '../inventory/model.js';
import { groupHosts } from '../inventory/parse.js';

/** A part of a service that can be reissued on its own (MicroOVN's `reissue ovnsb`). */
export interface ServicePart {
  name: string;
  /** The groups whose hosts carry this part's certificates. */
  groups: readonly string[];
}

export interface ServiceDef {
  name: string;
  /** Section title in `certificates list`. */
  title: string;
  /** Inventory groups the install playbook targets (the bundled defaults' names). */
  groups: readonly string[];
  playbook: string;
  /** `-e <flag>=true` reissues every certificate of the service on the selected hosts. */
  regenFlag: string;
  /** `<flag>: false` skips the playbook's own "ensure the CAs exist" step. */
  createCaFlag: string;
  /** The variable holding the renewal window the playbook honours. */
  renewBeforeVar: string;
  /**
   * The service has a CA of its own, created and renewed by its own playbook (OVN: a separate CA
   * keeps other OpenStack certificates out of OVN). Its section in `certificates list` is
   * `<name>-ca`. Otherwise the service is signed by the CAs of certificate-authority.yml.
   */
  ownCa: boolean;
  /** The role whose defaults name the service's files (certificates-list.yml loads it). */
  role: string;
  /** Parts `certificates reissue` accepts by name; the value goes into `regenFlag`. */
  parts: readonly ServicePart[];
}

const OVN_CENTRAL = ['ovn_central'];
const OVN_CHASSIS = ['ovn_chassis'];

export const SERVICES: readonly ServiceDef[] = [
  {
    name: 'haproxy',
    title: 'haproxy (TLS VIPs)',
    groups: ['haproxy_all'],
    playbook: 'haproxy-install.yml',
    regenFlag: 'haproxy_pki_regen_cert',
    createCaFlag: 'haproxy_pki_create_ca',
    renewBeforeVar: 'pki_renew_before',
    ownCa: false,
    role: 'haproxy_server',
    parts: [],
  },
  {
    name: 'rabbitmq',
    title: 'RabbitMQ',
    groups: ['rabbitmq_all'],
    playbook: 'rabbitmq-install.yml',
    regenFlag: 'rabbitmq_pki_regen_cert',
    createCaFlag: 'rabbitmq_pki_create_ca',
    renewBeforeVar: 'pki_renew_before',
    ownCa: false,
    role: 'rabbitmq_server',
    parts: [],
  },
  {
    name: 'ovn',
    title: 'OVN (NB/SB databases, ovn-northd, ovn-controller, IPsec)',
    groups: [...OVN_CENTRAL, ...OVN_CHASSIS],
    playbook: 'ovn-install.yml',
    regenFlag: 'ovn_pki_regen_cert',
    createCaFlag: 'ovn_pki_create_ca',
    renewBeforeVar: 'ovn_pki_renew_before',
    ownCa: true,
    role: 'ovn_common',
    parts: [
      { name: 'ovnnb', groups: OVN_CENTRAL },
      { name: 'ovnsb', groups: OVN_CENTRAL },
      { name: 'ovn-northd', groups: OVN_CENTRAL },
      { name: 'ovn-controller', groups: OVN_CHASSIS },
      { name: 'ipsec', groups: OVN_CHASSIS },
      { name: 'client', groups: [...OVN_CENTRAL, ...OVN_CHASSIS] },
    ],
  },
];

/** The playbook that creates and renews the CAs (also every service playbook's first play). */
export const CA_PLAYBOOK = 'certificate-authority.yml';
export const LIST_PLAYBOOK = 'certificates-list.yml';
export const ROTATION_PLAYBOOK = 'certificates-ca-rotation.yml';
/** `cert_facts` section of the CAs of certificate-authority.yml. */
export const SERVICE_CA_SECTION = 'ca';

export function caSection(service: ServiceDef): string {
  return service.ownCa ? `${service.name}-ca` : SERVICE_CA_SECTION;
}

export function serviceByName(name: string): ServiceDef | undefined {
  return SERVICES.find((s) => s.name === name);
}

/** The service and part a `certificates reissue` word names (`ovnsb`: part of ovn). */
export function partByName(name: string): { service: ServiceDef; part: ServicePart } | undefined {
  for (const service of SERVICES) {
    const part = service.parts.find((p) => p.name === name);
    if (part) return { service, part };
  }
  return undefined;
}

export function serviceOfPlaybook(file: string): ServiceDef | undefined {
  const base = basename(file);
  return SERVICES.find((s) => s.playbook === base);
}

/** Every host of any of `groups`, each once, in inventory order. */
export function hostsOf(inventory: Inventory, groups: readonly string[]): string[] {
  return [...new Set(groups.flatMap((g) => groupHosts(inventory, g)))];
}

/** Services with at least one host in the inventory, with those hosts. */
export function deployed(inventory: Inventory): { service: ServiceDef; hosts: string[] }[] {
  return SERVICES.map((service) => ({ service, hosts: hostsOf(inventory, service.groups) })).filter(
    (d) => d.hosts.length > 0,
  );
}

/**
 * certificate-authority.yml belongs to a fleet unless every deployed service has a CA of its own
 * (an OVN-only fleet): there it would create CAs nothing uses.
 */
export function usesServiceCa(inventory: Inventory): boolean {
  const d = deployed(inventory);
  return d.length === 0 || d.some((x) => !x.service.ownCa);
}
