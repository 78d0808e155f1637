/** An inline `!vault |` value: the ansible-vault envelope, decrypted only when used. */
export class VaultedValue {
  constructor(readonly envelope: string) {}
  toString(): string {
    return '<vaulted>';
  }
  toJSON(): string {
    return '<vaulted>';
  }
}

/** An `!unsafe` string: never templated. */
export class UnsafeText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}
