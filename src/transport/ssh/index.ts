/** The SSH transport: one ssh2 connection per host, SFTP for files, sudo for become. */
export { ConnectionLimiter, defaultConnectionLimiter } from './limiter.js';
export type { BecomeSettings, HostKeyChecking, ProxyJump, SshCliOptions, SshSettings } from './settings.js';
export { sshSettingsFromVars } from './settings.js';
export { createSshTransport, SshTransport } from './transport.js';
