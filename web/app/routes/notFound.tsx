import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "../components/ui/button.tsx";

export default function NotFound() {
  const { t } = useTranslation();
  return (
    <main className="grid min-h-screen place-items-center p-8">
      <div className="space-y-4 text-center">
        <p className="text-5xl font-semibold text-muted-foreground">404</p>
        <h1 className="text-lg font-medium">{t("common.notFound")}</h1>
        <Button asChild>
          <Link to="/dashboard">{t("common.home")}</Link>
        </Button>
      </div>
    </main>
  );
}
