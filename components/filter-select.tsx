import { REGIMES } from '@/lib/schemas/credential-profiles';
import { countryName } from '@/lib/tax-ids';

/** One select of a GET filter form: "all" first, the current value chosen. */
export function FilterSelect({ name, label, all, value, options }: { name: string; label: string; all: string; value: string | undefined; options: readonly { value: string; label: string }[] }) {
  return (
    <div>
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={value ?? ''}>
        <option value="">{all}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The country, regime and environment filters the dashboard and the Expiring and failing view share. */
export function CredentialFilterSelects({ countries, filters }: { countries: string[]; filters: { country?: string | undefined; regime?: string | undefined; environment?: string | undefined } }) {
  return (
    <>
      <FilterSelect name="country" label="Country" all="All countries" value={filters.country} options={countries.map((code) => ({ value: code, label: countryName(code) }))} />
      <FilterSelect name="regime" label="Regime" all="All regimes" value={filters.regime} options={Object.entries(REGIMES).map(([value, label]) => ({ value, label }))} />
      <FilterSelect
        name="environment"
        label="Environment"
        all="All environments"
        value={filters.environment}
        options={[
          { value: 'SANDBOX', label: 'Sandbox' },
          { value: 'PRODUCTION', label: 'Production' },
        ]}
      />
    </>
  );
}
