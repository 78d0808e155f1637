/**
 * The services whose certificates ovnctl manages over their lifecycle: where each runs (its
 * inventory group), which bundled playbook installs it and which regen flag reissues it. Which
 * files a service has on a host is not listed here: certificates-list.yml reads it from the
 * service role's own defaults and pki_install entries (the `role` named here), the same data the
 * install playbook uses.
 */
import { basename } from 'node:path';
import type { Inventory } from '../inventory/model.js';
import { groupHosts } from '../inventory/parse.js';

export interface ServiceDef {
  name: string;
  /** Section title in `certificates list`. */
  title: string;
  /** Inventory group the install playbook targets. */
  group: string;
  playbook: string;
  /** `-e <flag>=true` reissues every certificate of the service on the selected hosts. */
  regenFlag: string;
  /** `<flag>: false` skips the playbook's own "ensure the CAs exist" play. */
  createCaFlag: string;
  /** The role whose defaults name the service's files (certificates-list.yml loads it). */
  role: string;
}

export const SERVICES: readonly ServiceDef[] = [
  {
    name: 'haproxy',
    title: 'haproxy (TLS VIPs)',
    group: 'haproxy_all',
    playbook: 'haproxy-install.yml',
    regenFlag: 'haproxy_pki_regen_cert',
    createCaFlag: 'haproxy_pki_create_ca',
    role: 'haproxy_server',
  },
  {
    name: 'rabbitmq',
    title: 'RabbitMQ',
    group: 'rabbitmq_all',
    playbook: 'rabbitmq-install.yml',
    regenFlag: 'rabbitmq_pki_regen_cert',
    createCaFlag: 'rabbitmq_pki_create_ca',
    role: 'rabbitmq_server',
  },
];

/** The playbook that creates and renews the CAs (also every service playbook's first play). */
export const CA_PLAYBOOK = 'certificate-authority.yml';
export const LIST_PLAYBOOK = 'certificates-list.yml';
export const ROTATION_PLAYBOOK = 'certificates-ca-rotation.yml';

export function serviceByName(name: string): ServiceDef | undefined {
  return SERVICES.find((s) => s.name === name);
}

export function serviceOfPlaybook(file: string): ServiceDef | undefined {
  const base = basename(file);
  return SERVICES.find((s) => s.playbook === base);
}

/** Services with at least one host in the inventory, with those hosts. */
export function deployed(inventory: Inventory): { service: ServiceDef; hosts: string[] }[] {
  return SERVICES.map((service) => ({ service, hosts: groupHosts(inventory, service.group) })).filter(
    (d) => d.hosts.length > 0,
  );
}
