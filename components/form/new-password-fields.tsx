import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import { TextField } from '@/components/form/fields';
import { MIN_PASSWORD_LENGTH } from '@/lib/schemas/accounts';

/** A new password and its repetition, as every form that sets one asks for them. */
export function NewPasswordFields<T extends { password: string; repeatPassword: string }>({
  register,
  errors,
  label = 'Password',
}: {
  register: UseFormRegister<T>;
  errors: FieldErrors<{ password: string; repeatPassword: string }>;
  label?: string;
}) {
  const field = register as unknown as UseFormRegister<{ password: string; repeatPassword: string }>;
  return (
    <>
      <TextField
        id="new-password"
        label={label}
        type="password"
        autoComplete="new-password"
        help={`At least ${MIN_PASSWORD_LENGTH} characters; a passphrase of a few words is easy to type and hard to guess.`}
        error={errors.password?.message}
        {...field('password')}
      />
      <TextField
        id="repeat-password"
        label="Repeat the password"
        type="password"
        autoComplete="new-password"
        error={errors.repeatPassword?.message}
        {...field('repeatPassword')}
      />
    </>
  );
}
