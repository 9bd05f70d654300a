import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_NOTIFICATIONS, validateNotifications, type NotificationProviderConfig, type NotificationsConfig, type NotificationsWithoutSecrets } from './notification-config.ts';
import { yamlModule as yaml } from '../core/lazy-module.ts';

/** A secret file larger than this is a mistake (a key file given where a URL belongs). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

export interface NotificationsSource {
  /** The `notifications` section of the controller's file, and the directory relative paths resolve against. */
  section?: { value: unknown; base: string };
  /** INTCTL_NOTIFICATIONS_FILE: a YAML file holding that section (a mounted Secret, beside the files it names). */
  file?: string;
}

/**
 * The notifications configuration: from the controller's file or from the file
 * INTCTL_NOTIFICATIONS_FILE names (not both), validated, then each provider's URL and secret
 * read from their files. Problems come back as values, each naming its field; a message never
 * holds what a secret file holds.
 */
export async function readNotifications(source: NotificationsSource): Promise<{ config: NotificationsConfig; problems: string[] }> {
  const problems: string[] = [];
  let validated: { config: NotificationsWithoutSecrets; problems: string[] };
  if (source.file !== undefined && source.section !== undefined) {
    return { config: { ...DEFAULT_NOTIFICATIONS }, problems: ['notifications and INTCTL_NOTIFICATIONS_FILE: give the section in the file or a file that holds it, not both'] };
  }
  if (source.file !== undefined) {
    const where = `INTCTL_NOTIFICATIONS_FILE (${source.file})`;
    let text: string;
    try {
      text = await readFile(source.file, 'utf8');
    } catch (error) {
      return { config: { ...DEFAULT_NOTIFICATIONS }, problems: [`${where}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`] };
    }
    let document: unknown;
    try {
      document = yaml().parse(text, { uniqueKeys: true });
    } catch (error) {
      return { config: { ...DEFAULT_NOTIFICATIONS }, problems: [`${where}: not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
    }
    validated = validateNotifications(document, dirname(source.file), where);
  } else {
    validated = validateNotifications(source.section?.value, source.section?.base ?? '.', 'notifications');
  }
  problems.push(...validated.problems);
  const providers: NotificationProviderConfig[] = [];
  for (const provider of validated.config.providers) {
    const { urlFile, secretFile, field: at, ...rest } = provider;
    const url = await readSecret(urlFile, `${at}.urlFile`, problems);
    if (url !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) problems.push(`${at}.urlFile: ${urlFile} does not hold an http(s) URL`);
    const secret = secretFile === undefined ? undefined : await readSecret(secretFile, `${at}.secretFile`, problems);
    if (url !== undefined) providers.push({ ...rest, url, ...(secret !== undefined ? { secret } : {}) });
  }
  return { config: { ...validated.config, providers }, problems };
}

/** One secret file's value; one trailing line break is dropped, as `echo` and editors add one. */
async function readSecret(path: string, field: string, problems: string[]): Promise<string | undefined> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_SECRET_FILE_BYTES) {
      problems.push(`${field}: ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
      return undefined;
    }
    const value = bytes.toString('utf8').replace(/\r?\n$/, '').trim();
    if (value === '') {
      problems.push(`${field}: ${path} is empty`);
      return undefined;
    }
    return value;
  } catch (error) {
    problems.push(`${field}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}
